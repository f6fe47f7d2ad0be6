import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredReply } from '../reply-types.js';
import { replyFromRow } from './reply-row.js';

export async function getReply(db: Kysely<Database>, id: string): Promise<StoredReply | undefined> {
  const row = await db.selectFrom('replies').selectAll().where('id', '=', id).executeTakeFirst();
  return row && replyFromRow(row);
}
