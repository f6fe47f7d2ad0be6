import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Destination } from '../config/routing-schema.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** A failed attempt that should count against the destination's circuit (network error, 5xx, timeout). */
export class CountedFailure<T> extends Error {
  constructor(readonly outcome: T) {
    super('counted failure');
  }
}

export { BrokenCircuitError };

/** Told when a destination's circuit opens or closes again, so an operator sees it in the log. */
export interface BreakerObserver {
  onOpen?: (destinationId: string, settings: Destination['breaker']) => void;
  onClose?: (destinationId: string) => void;
}

/**
 * One cockatiel circuit breaker per destination and instance: after repeated failures no attempts are made
 * (deliveries wait; nothing is dead-lettered for it), after a pause one probe goes through, and a success
 * closes the circuit again. A breaker is made anew when its destination's settings change.
 */
export function circuitBreakers(now: () => number = Date.now, observer: BreakerObserver = {}) {
  interface Entry {
    key: string;
    policy: CircuitBreakerPolicy;
    halfOpenAfterMs: number;
    openedAt?: number | undefined;
  }
  const breakers = new Map<string, Entry>();
  const forDestination = (destination: Pick<Destination, 'id' | 'breaker'>): CircuitBreakerPolicy => {
    const key = JSON.stringify(destination.breaker);
    const existing = breakers.get(destination.id);
    if (existing?.key === key) return existing.policy;
    const halfOpenAfterMs = destination.breaker.halfOpenAfterSeconds * 1000;
    const policy = circuitBreaker(handleAll, {
      halfOpenAfter: halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(destination.breaker.consecutiveFailures),
    });
    const entry: Entry = { key, policy, halfOpenAfterMs };
    // cockatiel moves to half-open only when a call is tried after the pause, so the pause is tracked
    // here: while it runs, the destination's deliveries are not even claimed.
    policy.onBreak(() => {
      entry.openedAt = now();
      observer.onOpen?.(destination.id, destination.breaker);
    });
    policy.onReset(() => {
      entry.openedAt = undefined;
      observer.onClose?.(destination.id);
    });
    breakers.set(destination.id, entry);
    return policy;
  };
  const pausing = (entry: Entry) => entry.openedAt !== undefined && now() < entry.openedAt + entry.halfOpenAfterMs;
  return {
    forDestination,
    /** Destinations whose circuit is open and still pausing: not claimed until a probe may go through. */
    open(): string[] {
      return [...breakers.entries()].filter(([, e]) => pausing(e)).map(([id]) => id);
    },
    states(): Record<string, BreakerState> {
      return Object.fromEntries(
        [...breakers.entries()].map(([id, e]) => {
          const state = stateNames[e.policy.state];
          return [id, state === 'open' && !pausing(e) ? 'half-open' : state];
        }),
      );
    },
  };
}

export type CircuitBreakers = ReturnType<typeof circuitBreakers>;
