import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Deletes buckets untouched since `beforeMs`. A bucket idle for longer than `burst / ratePerSecond` is full,
 * exactly as if it had no row, so with a cut-off well beyond that this changes no limit — it only keeps the
 * table from growing with every client address that ever failed a sign-in.
 */
export async function sweepRateBuckets(db: Kysely<Database>, beforeMs: number): Promise<number> {
  const result = await db.deleteFrom('rate_buckets').where('updated_ms', '<', beforeMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}
