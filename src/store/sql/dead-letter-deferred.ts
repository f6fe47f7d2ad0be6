import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * A deferred delivery that will not be released (its deadline passed and its rule says `dead-letter`, or its
 * trigger was itself dead-lettered) becomes a visible dead letter: the reason is its last error, the change
 * goes into the submission's event log with the status derived anew. Conditional on the delivery still being
 * deferred, so an accept or a release racing with it (another instance) wins or loses as a whole.
 */
export async function deadLetterDeferred(
  db: Kysely<Database>,
  input: { deliveryId: string; reason: string; at: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('deliveries')
      .set({ state: 'dead-lettered', last_error: input.reason, final_at: input.at, updated_at: input.at })
      .where('id', '=', input.deliveryId)
      .where('state', '=', 'deferred')
      .returning(['submission_id', 'destination_id'])
      .executeTakeFirst();
    if (!row) return false;
    await recordDeliveryChange(trx, {
      submissionId: row.submission_id,
      deliveryId: input.deliveryId,
      destinationId: row.destination_id,
      state: 'dead-lettered',
      at: input.at,
      detail: { reason: input.reason },
    });
    return true;
  });
}
