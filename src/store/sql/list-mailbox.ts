import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DeliveryState } from '../types.js';

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
export async function listMailbox(
  db: Kysely<Database>,
  destinationId: string,
  after: string | undefined,
  limit: number,
): Promise<MailboxEntry[]> {
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
    const boundary = await db
      .selectFrom('deliveries')
      .select(['created_at'])
      .where('id', '=', after)
      .where('destination_id', '=', destinationId)
      .executeTakeFirst();
    // An id this mailbox never had (or one purged since) restarts the list at its start: reading a message
    // twice is harmless (its id is stable), skipping one is not.
    const since = boundary?.created_at ?? '';
    query = query.where((eb) =>
      eb.or([eb('created_at', '>', since), eb.and([eb('created_at', '=', since), eb('id', '>', after)])]),
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    messageId: r.id,
    submissionId: r.submission_id,
    state: r.state as DeliveryState,
    createdAt: r.created_at,
    availableSince: r.updated_at,
  }));
}
