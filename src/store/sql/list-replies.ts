import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredReply } from '../reply-types.js';
import { replyFromRow } from './reply-row.js';

/** A submission's replies in their order (`seq`). */
export async function listReplies(db: Kysely<Database>, submissionId: string): Promise<StoredReply[]> {
  const rows = await db
    .selectFrom('replies')
    .selectAll()
    .where('submission_id', '=', submissionId)
    .orderBy('seq')
    .execute();
  return rows.map(replyFromRow);
}
