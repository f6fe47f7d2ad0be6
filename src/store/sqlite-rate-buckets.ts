import type { RateBucket, takeRateToken } from './sql/take-rate-token.js';

type Taken = Awaited<ReturnType<typeof takeRateToken>>;

/**
 * Rate-limit buckets for the SQLite store, in this process's memory. SQLite serves one gateway process per
 * data dir, so there is no other instance to share them with, and a bucket is not worth an fsync: on the file,
 * every portal request was a durable write transaction of its own on the main thread. Plain arithmetic, not a
 * statement on an in-memory database (issue 26: a statement built and run on the main thread per request for
 * nothing); it computes what take-rate-token.ts's upsert does on PostgreSQL — refill for the time since the last
 * take, up to the burst, then take one if there is one — and the same tests (test/store/rate-buckets.test.ts)
 * hold both stores to it. A restart starts with full buckets.
 */
export function inMemoryRateBuckets(): {
  take: (key: string, nowMs: number, bucket: RateBucket) => Taken;
  sweep: (beforeMs: number) => number;
} {
  const buckets = new Map<string, { tokens: number; updatedMs: number }>();
  return {
    take(key, nowMs, bucket) {
      const row = buckets.get(key);
      const refilled = row
        ? Math.min(bucket.burst, row.tokens + (nowMs - row.updatedMs) * (bucket.ratePerSecond / 1000))
        : bucket.burst;
      if (refilled >= 1) {
        buckets.set(key, { tokens: refilled - 1, updatedMs: nowMs });
        return { ok: true, left: refilled - 1 };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - refilled) / bucket.ratePerSecond)) };
    },
    sweep(beforeMs) {
      let swept = 0;
      for (const [key, row] of buckets)
        if (row.updatedMs < beforeMs) {
          buckets.delete(key);
          swept++;
        }
      return swept;
    },
  };
}
