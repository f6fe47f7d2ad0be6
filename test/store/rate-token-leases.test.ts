import { describe, expect, it } from 'vitest';
import { leaseRateTokens } from '../../src/store/rate-token-leases.js';
import type { RateBucket } from '../../src/store/sql/take-rate-token.js';

/**
 * A shared bucket as the store keeps it (all or none of `count`, refilled by time), recording every take:
 * what the instances' leases ask of PostgreSQL.
 */
function sharedBucket(bucket: RateBucket) {
  let tokens = bucket.burst;
  let atMs = 0;
  const takes: number[] = [];
  return {
    takes,
    taken: () => takes.reduce((sum, n) => sum + n, 0),
    take: (_key: string, nowMs: number, _b: RateBucket, count = 1) => {
      tokens = Math.min(bucket.burst, tokens + ((nowMs - atMs) * bucket.ratePerSecond) / 1000);
      atMs = nowMs;
      if (tokens < count) return Promise.resolve({ ok: false as const, retryAfterSeconds: 1 });
      tokens -= count;
      takes.push(count);
      return Promise.resolve({ ok: true as const, left: tokens });
    },
  };
}

const t0 = 1_800_000_000_000;

describe('rate token leases (PostgreSQL)', () => {
  it('takes one token at a time from a bucket too small for a lease of two', async () => {
    const bucket = { ratePerSecond: 2, burst: 5 };
    const shared = sharedBucket(bucket);
    const take = leaseRateTokens(shared.take);
    const results = [];
    for (let i = 0; i < 7; i++) results.push((await take('portal:a', t0, bucket)).ok);
    expect(results).toEqual([true, true, true, true, true, false, false]);
    expect(shared.takes).toEqual([1, 1, 1, 1, 1]);
  });

  it('takes tokens ahead under load: fewer writes, never more requests than the bucket allows', async () => {
    const bucket = { ratePerSecond: 50, burst: 200 };
    const shared = sharedBucket(bucket);
    const take = leaseRateTokens(shared.take);
    const results = [];
    for (let i = 0; i < 210; i++) results.push(await take('portal:a', t0, bucket));
    expect(results.filter((r) => r.ok)).toHaveLength(200);
    expect(results.at(-1)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(shared.taken()).toBe(200);
    // at most a tenth of the burst and a quarter second's refill at once: 12 here
    expect(Math.max(...shared.takes)).toBe(12);
    expect(shared.takes.length).toBeLessThan(40);
  });

  it('hands out no more than the shared bucket holds to two instances together', async () => {
    const bucket = { ratePerSecond: 50, burst: 200 };
    const shared = sharedBucket(bucket);
    const instances = [leaseRateTokens(shared.take), leaseRateTokens(shared.take)];
    let ok = 0;
    for (let i = 0; i < 300; i++) if ((await instances[i % 2]!('portal:a', t0, bucket)).ok) ok++;
    expect(ok).toBeLessThanOrEqual(200);
    expect(ok).toBe(shared.taken());
  });

  it('takes no tokens ahead for a portal that sends one request at a time now and then', async () => {
    const bucket = { ratePerSecond: 50, burst: 200 };
    const shared = sharedBucket(bucket);
    const take = leaseRateTokens(shared.take);
    for (let i = 0; i < 20; i++) expect((await take('portal:a', t0 + i * 1000, bucket)).ok).toBe(true);
    expect(shared.takes).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('gives concurrent requests of one instance what each took, dropping none', async () => {
    const bucket = { ratePerSecond: 50, burst: 200 };
    const shared = sharedBucket(bucket);
    const take = leaseRateTokens(shared.take);
    let ok = 0;
    for (let round = 0; round < 30; round++) {
      const batch = await Promise.all(Array.from({ length: 8 }, () => take('portal:a', t0, bucket)));
      ok += batch.filter((r) => r.ok).length;
    }
    expect(ok).toBe(200);
    expect(shared.taken()).toBe(200);
  });
});
