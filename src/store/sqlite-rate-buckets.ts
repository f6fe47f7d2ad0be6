import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { up as createRateBuckets } from './migrations/0008-rate-buckets.js';
import type { Database } from './schema.js';
import { takeRateToken, type RateBucket } from './sql/take-rate-token.js';
import { sweepRateBuckets } from './sql/sweep-rate-buckets.js';

/**
 * Rate-limit buckets for the SQLite store, in a private in-memory SQLite database. SQLite serves one gateway
 * process per data dir, so there is no other instance to share them with, and a bucket is not worth an
 * fsync: on the file, every portal request was a durable write transaction of its own on the main thread.
 * The same table and the same SQL as on PostgreSQL (migration 0008, take-rate-token.ts), so both stores
 * limit alike; a restart starts with full buckets.
 */
export async function inMemoryRateBuckets(): Promise<{
  take: (key: string, nowMs: number, bucket: RateBucket) => ReturnType<typeof takeRateToken>;
  sweep: (beforeMs: number) => Promise<number>;
  close: () => Promise<void>;
}> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await createRateBuckets(db as Kysely<unknown>);
  return {
    take: (key, nowMs, bucket) => takeRateToken(db, key, nowMs, bucket),
    sweep: (beforeMs) => sweepRateBuckets(db, beforeMs),
    close: () => db.destroy(),
  };
}
