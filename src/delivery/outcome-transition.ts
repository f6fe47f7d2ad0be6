import type { Outcome } from '../adapters/types.js';
import type { Destination } from '../config/routing-schema.js';
import type { ClaimedDelivery, DeliveryTransition } from '../store/types.js';
import { decideRetry } from './retry-policy.js';

/**
 * The state a delivery moves to after one attempt's outcome: delivered; still pending while a mailbox waits
 * for its pickup or a retry is due; dead-lettered on a failure, or when a retry finds the attempts used up.
 * The adapter's progress is kept unless the outcome brings its own (a failure keeps what was saved before).
 * Pure, so the rules are readable apart from the loop that claims, attempts and records.
 */
export function transitionFor(
  claim: Pick<ClaimedDelivery, 'attempts' | 'adapterState'>,
  retryPolicy: Destination['retry'],
  outcome: Outcome,
  now: Date,
): DeliveryTransition {
  const attempts = claim.attempts + 1;
  switch (outcome.kind) {
    case 'delivered':
      return { state: 'delivered', attempts, nextAttemptAt: null, adapterState: outcome.state ?? claim.adapterState };
    case 'awaiting-pickup':
      return {
        state: 'pending',
        attempts,
        nextAttemptAt: outcome.until.toISOString(),
        adapterState: outcome.state ?? claim.adapterState,
      };
    case 'failed':
      return {
        state: 'dead-lettered',
        attempts,
        nextAttemptAt: null,
        adapterState: claim.adapterState,
        lastError: outcome.reason,
      };
    case 'retry': {
      const decision = decideRetry(retryPolicy, attempts, now, outcome.afterMs);
      const adapterState = outcome.state ?? claim.adapterState;
      return decision.deadLetter
        ? {
            state: 'dead-lettered',
            attempts,
            nextAttemptAt: null,
            adapterState,
            lastError: `${outcome.reason} (after ${attempts} attempts)`,
          }
        : {
            state: 'pending',
            attempts,
            nextAttemptAt: decision.nextAttemptAt?.toISOString() ?? null,
            adapterState,
            lastError: outcome.reason,
          };
    }
  }
}
