import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Hands a destination's poll lease over at once (a stopping instance): only if `owner` still holds it. */
export async function releasePollLease(db: Kysely<Database>, destinationId: string, owner: string): Promise<void> {
  await db.deleteFrom('poll_leases').where('destination_id', '=', destinationId).where('owner', '=', owner).execute();
}
