import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deleteOrCount } from './delete-or-count.js';

/** Idempotency keys past their own expiry (any service). */
export function purgeExpiredIdempotencyKeys(db: Kysely<Database>, now: string, dryRun: boolean): Promise<number> {
  return deleteOrCount(db, 'idempotency_keys', sql<boolean>`${sql.ref('expires_at')} <= ${now}`, dryRun);
}
