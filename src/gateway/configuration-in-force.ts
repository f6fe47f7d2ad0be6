import type { ConfigurationSet } from '../intake/configuration-set.js';

export interface ConfigurationInForce {
  /** The set in force now: read it when it is used, never keep a copy, or a reload passes it by. */
  current(): ConfigurationSet;
  /**
   * Puts `next` in force in one synchronous step and returns the set it replaces (its owner frees that one's XÖV set).
   */
  replace(next: ConfigurationSet): ConfigurationSet;
}

/**
 * The configuration in force, in the manner of routing/routing-state.ts: one holder whose `current()` every
 * reader calls, so a reload replaces the whole set at once — a request sees either the old set or the new
 * one, never a mix — and the parts wired before a reload follow it without being told.
 */
export function configurationInForce(initial: ConfigurationSet): ConfigurationInForce {
  let inForce = initial;
  return {
    current: () => inForce,
    replace(next) {
      const previous = inForce;
      inForce = next;
      return previous;
    },
  };
}
