import type { DeliveryState } from './types.js';

/** How far a delivery has come; a submission is as far as its least advanced destination. */
const progress: Partial<Record<DeliveryState, number>> = { pending: 0, delivered: 1, accepted: 2 };

/**
 * The submission's status from its destinations' (design.md): deferred and cancelled ones do not count;
 * `rejected` if any rejected, else `dead-lettered` if any is, else the least advanced.
 */
export function deriveSubmissionStatus(states: readonly DeliveryState[]): DeliveryState {
  const counted = states.filter((s) => s !== 'deferred' && s !== 'cancelled');
  if (counted.includes('rejected')) return 'rejected';
  if (counted.includes('dead-lettered')) return 'dead-lettered';
  let least: DeliveryState | undefined;
  for (const state of counted) {
    if (least === undefined || (progress[state] ?? 0) < (progress[least] ?? 0)) least = state;
  }
  return least ?? 'pending';
}
