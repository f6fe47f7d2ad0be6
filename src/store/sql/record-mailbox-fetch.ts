import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * The first fetch of a message from the mailbox is its delivery. Only the destination's own messages;
 * a later fetch changes nothing. Returns whether the message is in this mailbox.
 */
export async function recordMailboxFetch(
  db: Kysely<Database>,
  destinationId: string,
  messageId: string,
  now: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('deliveries')
      .select(['state', 'submission_id', 'adapter_state'])
      .where('id', '=', messageId)
      .where('destination_id', '=', destinationId)
      .executeTakeFirst();
    if (!row || row.adapter_state === null || !['pending', 'delivered'].includes(row.state)) return false;
    if (row.state !== 'pending') return true;
    // Conditional, so that of two instances answering concurrent fetches only one records the delivery.
    const changed = await trx
      .updateTable('deliveries')
      .set({
        state: 'delivered',
        delivered_at: now,
        updated_at: now,
        next_attempt_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', messageId)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 1) {
      await recordDeliveryChange(trx, {
        submissionId: row.submission_id,
        deliveryId: messageId,
        destinationId,
        state: 'delivered',
        at: now,
        detail: { via: 'mailbox' },
      });
    }
    return true;
  });
}
