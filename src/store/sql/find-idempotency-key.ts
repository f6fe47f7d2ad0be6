import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** `keyHash` is the keyed hash of the portal's Idempotency-Key: the store never holds the key itself. */
export async function findIdempotencyKey(
  db: Kysely<Database>,
  portalId: string,
  keyHash: string,
  now: string,
): Promise<{ submissionId: string; contentHmac: string } | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['submission_id', 'content_hmac'])
    .where('portal_id', '=', portalId)
    .where('key', '=', keyHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && { submissionId: row.submission_id, contentHmac: row.content_hmac };
}
