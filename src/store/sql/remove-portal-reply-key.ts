import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Withdraws one reply key of a portal at once (a compromised key); false when there was none. */
export async function removePortalReplyKey(db: Kysely<Database>, portalId: string, kid: string): Promise<boolean> {
  const result = await db
    .deleteFrom('portal_reply_keys')
    .where('portal_id', '=', portalId)
    .where('kid', '=', kid)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
