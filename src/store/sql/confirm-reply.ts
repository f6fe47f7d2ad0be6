import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReplyConfirmation } from '../reply-types.js';
import { appendEvent } from './append-event.js';

/**
 * The portal's confirmation of a reply (accepted, or rejected with a reason), once: the reply's state and the
 * `reply-confirmed` event of the submission's log change in one transaction. False when the reply was confirmed
 * before (the first confirmation stands).
 */
export async function confirmReply(
  db: Kysely<Database>,
  input: { replyId: string; submissionId: string; confirmation: ReplyConfirmation; at: string },
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
    return true;
  });
}
