import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The portal's first fetch of a reply: `received` becomes `fetched` (later fetches change nothing). */
export async function recordReplyFetch(db: Kysely<Database>, id: string, now: string): Promise<void> {
  await db
    .updateTable('replies')
    .set({ state: 'fetched', fetched_at: now })
    .where('id', '=', id)
    .where('state', '=', 'received')
    .execute();
}
