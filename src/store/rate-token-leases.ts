import type { RateBucket, takeRateToken } from './sql/take-rate-token.js';

type Taken = Awaited<ReturnType<typeof takeRateToken>>;
type Take = (key: string, nowMs: number, bucket: RateBucket, count?: number) => Promise<Taken>;

interface Lease {
  /** Tokens taken from the shared bucket and not yet handed out. */
  left: number;
  /** How many the last take from the bucket asked for: doubled while leases run out, halved when they expire. */
  size: number;
  untilMs: number;
}

/** How long an instance may hold tokens it took ahead: unused ones are lost to everybody after this. */
const leaseMs = 250;
/** Bounded, like the blocked clients of http/rate-limits.ts: addresses that come and go cannot grow it. */
const maxLeases = 10_000;

/**
 * The instance's lease on PostgreSQL's shared rate buckets (issue 26): under load, each upsert of the bucket
 * takes several tokens at once and hands them out here, so a busy portal costs a write transaction (an fsync)
 * every few requests rather than on every one. Never more requests than the bucket allows: a leased token
 * was taken from it. The price is the other way: tokens one instance holds cannot serve another for at most
 * `leaseMs`, and those left unused then are lost — so a lease is at most a tenth of the burst and a quarter
 * second's refill, it starts at one token and only grows while leases are used up before they expire, and a
 * bucket too small for a lease of two (the sign-in buckets, small portal limits) is taken from one token at a
 * time, exactly as without leases.
 */
export function leaseRateTokens(take: Take): (key: string, nowMs: number, bucket: RateBucket) => Promise<Taken> {
  const leases = new Map<string, Lease>();
  return async (key, nowMs, bucket) => {
    const lease = leases.get(key);
    if (lease && lease.left > 0 && nowMs < lease.untilMs) {
      lease.left--;
      return { ok: true, left: lease.left };
    }
    const most = Math.max(1, Math.floor(Math.min(bucket.burst / 10, (bucket.ratePerSecond * leaseMs) / 1000)));
    const usedUp = lease !== undefined && lease.left === 0 && nowMs < lease.untilMs;
    const size = Math.min(most, lease === undefined ? 1 : usedUp ? lease.size * 2 : Math.ceil(lease.size / 2));
    let count = size;
    let taken = await take(key, nowMs, bucket, count);
    if (!taken.ok && count > 1) {
      // fewer than a lease's worth left: one token, as without leases
      count = 1;
      taken = await take(key, nowMs, bucket, count);
    }
    if (!taken.ok) return taken;
    if (leases.size >= maxLeases && !leases.has(key)) leases.clear();
    // Concurrent requests may each have taken a lease: what they took adds up, none is dropped.
    const current = leases.get(key);
    const left = (current && nowMs < current.untilMs ? current.left : 0) + count - 1;
    leases.set(key, { left, size: count, untilMs: nowMs + leaseMs });
    // what the shared bucket still holds, and what this instance holds of it
    return { ok: true, left: taken.left + left };
  };
}
