import type { Logger } from '../lib/logger.js';
import {
  configuredKeys,
  escrowKeyFor,
  gatewayJwks,
  signingKeyFor,
  type GatewayKeys,
  type KeyResolver,
  type KeyRing,
} from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { KeyState } from '../store/types.js';
import { ConfigError } from '../lib/errors.js';

/** The key ring with the store's key states behind it, and the timer that keeps them fresh. */
export interface StoredKeyRing extends KeyRing {
  states(): KeyState[];
  stop(): void;
}

/**
 * The gateway's keys with their state from the store: the files are the same on every instance, which of
 * them is active is the store's, so `keys rotate` on one instance is followed by all within `pollMs`.
 */
export async function startKeyRing(options: {
  keys: GatewayKeys;
  resolver: KeyResolver;
  store: Store;
  logger: Logger;
  now: () => Date;
  pollMs?: number;
}): Promise<StoredKeyRing> {
  const { keys, store } = options;
  await store.registerKeys(configuredKeys(keys), options.now().toISOString());
  let states: KeyState[] = [];
  const refresh = async () => {
    states = await store.listKeyStates();
  };
  await refresh();
  const active = (purpose: KeyState['purpose']): string => {
    const kid = states.find((s) => s.purpose === purpose && s.state === 'active')?.kid;
    if (!kid) throw new ConfigError(`no active ${purpose} key in the store`);
    return kid;
  };
  // Fail at start, not on the first request, when the store names a key this instance has no file for.
  signingKeyFor(keys, active('signing'));
  escrowKeyFor(keys, active('escrow'));
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => {
      options.logger.warn({ errorClass: (error as Error).name }, 'key state refresh failed');
    });
  }, options.pollMs ?? 2000);
  timer.unref();
  return {
    keys,
    resolver: options.resolver,
    signing: () => signingKeyFor(keys, active('signing')),
    escrow: () => escrowKeyFor(keys, active('escrow')),
    jwks: () =>
      gatewayJwks(
        keys,
        states.filter((s) => s.state === 'retired').map((s) => s.kid),
      ),
    states: () => states,
    refresh,
    stop: () => {
      clearInterval(timer);
    },
  };
}
