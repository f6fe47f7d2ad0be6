import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReplyConfirmation } from '../reply-types.js';
import { appendEvent } from './append-event.js';
import { enqueueReplyStatus } from './enqueue-reply-status.js';

/**
 * The portal's confirmation of a reply (accepted, or rejected with a reason), once: the reply's state, the
 * `reply-confirmed` event of the submission's log and — for a destination that takes pushed reply statuses —
 * its `reply.confirmed` push in the outbox change in one transaction. False when the reply was confirmed before
 * (the first confirmation stands, and nothing more is queued).
 */
export async function confirmReply(
  db: Kysely<Database>,
  input: {
    replyId: string;
    submissionId: string;
    confirmation: ReplyConfirmation;
    at: string;
    push?: { destinationId: string; payload: Record<string, unknown> } | undefined;
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('submissions').set({ updated_at: input.at }).where('id', '=', input.submissionId).execute();
    const changed = await trx
      .updateTable('replies')
      .set({
        state: input.confirmation.outcome,
        confirmed_at: input.at,
        confirmation: JSON.stringify(input.confirmation),
      })
      .where('id', '=', input.replyId)
      .where('submission_id', '=', input.submissionId)
      .where('state', 'in', ['received', 'fetched'])
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return false;
    await appendEvent(trx, input.submissionId, {
      at: input.at,
      type: 'reply-confirmed',
      data: { replyId: input.replyId, ...input.confirmation },
    });
    if (input.push) await enqueueReplyStatus(trx, { submissionId: input.submissionId, ...input.push, at: input.at });
    return true;
  });
}
