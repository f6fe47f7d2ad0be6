import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * The `seq` the next reply to a submission takes. Read before the reply is countersigned (the countersignature
 * covers it); the unique (submission_id, seq) key refuses the insert should another reply take it meanwhile.
 */
export async function nextReplySeq(db: Kysely<Database>, submissionId: string): Promise<number> {
  const row = await db
    .selectFrom('replies')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('submission_id', '=', submissionId)
    .executeTakeFirst();
  return (row?.seq ?? 0) + 1;
}
