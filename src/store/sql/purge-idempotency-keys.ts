import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export async function purgeIdempotencyKeys(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
