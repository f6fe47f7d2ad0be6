import type { Selectable } from 'kysely';
import type { DeliveryTable } from '../schema.js';
import type { DeliveryRecord, DeliveryState } from '../types.js';

/** A delivery row as the record every read returns (no payload, no lease). */
export function deliveryFromRow(
  d: Pick<
    Selectable<DeliveryTable>,
    'id' | 'destination_id' | 'state' | 'attempts' | 'next_attempt_at' | 'created_at' | 'updated_at'
  >,
): DeliveryRecord {
  return {
    id: d.id,
    destinationId: d.destination_id,
    state: d.state as DeliveryState,
    attempts: d.attempts,
    nextAttemptAt: d.next_attempt_at ?? undefined,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
  };
}
