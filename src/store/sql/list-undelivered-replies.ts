import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { UndeliveredReply } from '../reply-types.js';

/**
 * Replies the portal has not fetched since before `receivedBefore` (`replyPickupDays` ago): what the operator
 * sees as undelivered. Ids, kinds and times only — never content.
 */
export async function listUndeliveredReplies(
  db: Kysely<Database>,
  receivedBefore: string,
  limit: number,
): Promise<UndeliveredReply[]> {
  const rows = await db
    .selectFrom('replies')
    .innerJoin('submissions', 'submissions.id', 'replies.submission_id')
    .select([
      'replies.id as replyId',
      'replies.submission_id as submissionId',
      'submissions.portal_id as portalId',
      'replies.destination_id as destinationId',
      'replies.kind as kind',
      'replies.received_at as receivedAt',
      'submissions.region_key as regionKey',
    ])
    .where('replies.state', '=', 'received')
    .where('replies.received_at', '<', receivedBefore)
    .orderBy('replies.received_at')
    .limit(limit)
    .execute();
  return rows;
}
