import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * Puts dead-lettered deliveries back into the outbox, due now, with a fresh retry schedule. Only those
 * still dead-lettered are touched (a concurrent replay does not double them). Returns the ids replayed.
 */
export async function replayDeliveries(
  db: Kysely<Database>,
  ids: readonly string[],
  now: string,
  reason: string,
): Promise<string[]> {
  if (ids.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('deliveries')
      .select(['id', 'submission_id', 'destination_id'])
      .where('id', 'in', [...ids])
      .where('state', '=', 'dead-lettered')
      .execute();
    const replayed: string[] = [];
    for (const row of rows) {
      const changed = await trx
        .updateTable('deliveries')
        .set({
          state: 'pending',
          attempts: 0,
          next_attempt_at: now,
          adapter_state: null,
          last_error: null,
          final_at: null,
          lease_owner: null,
          lease_until: null,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('state', '=', 'dead-lettered')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) continue;
      replayed.push(row.id);
      await recordDeliveryChange(trx, {
        submissionId: row.submission_id,
        deliveryId: row.id,
        destinationId: row.destination_id,
        state: 'pending',
        at: now,
        detail: { replay: reason },
      });
    }
    return replayed;
  });
}
