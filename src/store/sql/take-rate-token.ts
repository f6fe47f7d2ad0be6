import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface RateBucket {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** The bucket's size: how many requests may come at once after a quiet spell. */
  burst: number;
}

/**
 * Takes `count` tokens (one unless said) from a bucket, refilling it for the time since its last use — one
 * atomic upsert, so concurrent requests on several instances cannot both take the last token; all of them or
 * none. Returns the tokens left, or the seconds until the next token when fewer than `count` are there.
 */
export async function takeRateToken(
  db: Kysely<Database>,
  key: string,
  nowMs: number,
  bucket: RateBucket,
  count = 1,
): Promise<{ ok: true; left: number } | { ok: false; retryAfterSeconds: number }> {
  const refilled = sql<number>`(CASE WHEN rate_buckets.tokens + (${nowMs} - rate_buckets.updated_ms) * ${bucket.ratePerSecond / 1000} > ${bucket.burst} THEN ${bucket.burst} ELSE rate_buckets.tokens + (${nowMs} - rate_buckets.updated_ms) * ${bucket.ratePerSecond / 1000} END)`;
  const taken = await db
    .insertInto('rate_buckets')
    .values({ key, tokens: bucket.burst - count, updated_ms: nowMs })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ tokens: sql<number>`${refilled} - ${count}`, updated_ms: nowMs })
        .where(refilled, '>=', count),
    )
    .returning('tokens')
    .executeTakeFirst();
  if (taken) return { ok: true, left: taken.tokens };
  const row = await db
    .selectFrom('rate_buckets')
    .select(['tokens', 'updated_ms'])
    .where('key', '=', key)
    .executeTakeFirst();
  const tokens = row
    ? Math.min(bucket.burst, row.tokens + (nowMs - row.updated_ms) * (bucket.ratePerSecond / 1000))
    : 0;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / bucket.ratePerSecond)) };
}
