import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { IdempotencyClaim } from '../types.js';

/**
 * Claims a portal's idempotency key for a new submission, inside the accept's transaction, before anything
 * else is written: true when claimed (a new key, or one whose earlier claim has expired, which is replaced),
 * false when a live claim holds it. One upsert: on PostgreSQL a second request with the key waits for the
 * first's transaction and then finds the key held; SQLite's single writer orders them anyway, and within one
 * grouped commit a later savepoint sees what an earlier one claimed.
 */
export async function claimIdempotencyKey(
  trx: Transaction<Database> | Kysely<Database>,
  claim: IdempotencyClaim,
  portalId: string,
  submissionId: string,
  receivedAt: string,
): Promise<boolean> {
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({
      portal_id: portalId,
      key: claim.key,
      content_hmac: claim.contentHmac,
      submission_id: submissionId,
      created_at: receivedAt,
      expires_at: claim.expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['portal_id', 'key'])
        .doUpdateSet((eb) => ({
          content_hmac: eb.ref('excluded.content_hmac'),
          submission_id: eb.ref('excluded.submission_id'),
          created_at: eb.ref('excluded.created_at'),
          expires_at: eb.ref('excluded.expires_at'),
        }))
        .where('idempotency_keys.expires_at', '<=', receivedAt),
    )
    .returning('submission_id')
    .executeTakeFirst();
  return claimed !== undefined;
}
