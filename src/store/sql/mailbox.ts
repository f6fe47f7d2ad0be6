import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DeliveryState } from '../types.js';
import { recordDeliveryChange } from './update-submission-status.js';

export interface MailboxEntry {
  messageId: string;
  submissionId: string;
  state: DeliveryState;
  /** When the gateway sealed the message: the list's order. */
  createdAt: string;
  /** When the delivery last changed: handed to the mailbox, or first fetched. */
  availableSince: string;
}

/**
 * The messages waiting in a destination's mailbox: handed over by the mailbox adapter (which leaves a
 * pickup deadline in the adapter state) and not yet closed by a receipt. Oldest first, so that a
 * specialist procedure works its cases in the order they came in: keyset-paged by (creation time, message
 * id), which never change, so a page boundary stays put while messages are fetched. `after` is the last
 * message id of the previous page, whatever its state is by now.
 */
export async function listMailbox(db: Kysely<Database>, destinationId: string, after: string | undefined, limit: number): Promise<MailboxEntry[]> {
  let query = db
    .selectFrom('deliveries')
    .select(['id', 'submission_id', 'state', 'created_at', 'updated_at'])
    .where('destination_id', '=', destinationId)
    .where('state', 'in', ['pending', 'delivered'])
    .where('adapter_state', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
  if (after) {
    const boundary = await db.selectFrom('deliveries').select(['created_at']).where('id', '=', after).where('destination_id', '=', destinationId).executeTakeFirst();
    // An id this mailbox never had (or one purged since) restarts the list at its start: reading a message
    // twice is harmless (its id is stable), skipping one is not.
    const since = boundary?.created_at ?? '';
    query = query.where((eb) => eb.or([eb('created_at', '>', since), eb.and([eb('created_at', '=', since), eb('id', '>', after)])]));
  }
  const rows = await query.execute();
  return rows.map((r) => ({ messageId: r.id, submissionId: r.submission_id, state: r.state as DeliveryState, createdAt: r.created_at, availableSince: r.updated_at }));
}

/**
 * The first fetch of a message from the mailbox is its delivery. Only the destination's own messages;
 * a later fetch changes nothing. Returns whether the message is in this mailbox.
 */
export async function recordMailboxFetch(db: Kysely<Database>, destinationId: string, messageId: string, now: string): Promise<boolean> {
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
      .set({ state: 'delivered', delivered_at: now, updated_at: now, next_attempt_at: null, lease_owner: null, lease_until: null })
      .where('id', '=', messageId)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 1) {
      await recordDeliveryChange(trx, { submissionId: row.submission_id, deliveryId: messageId, destinationId, state: 'delivered', at: now, detail: { via: 'mailbox' } });
    }
    return true;
  });
}
