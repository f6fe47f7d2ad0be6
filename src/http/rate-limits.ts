import type { NextFunction, Request, Response } from 'express';
import type { GatewayConfig } from '../config/gateway-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import type { KeyedHash } from '../lib/keyed-hash.js';
import type { Store } from '../store/store.js';

export interface RateLimits {
  /** Takes a request token from the portal's bucket; throws `rate-limited` (429 + Retry-After) when empty. */
  portalRequest(portalId: string): Promise<void>;
  /** Middleware: refuses a client this instance saw failing sign-ins too often — before any token is checked. */
  refuseBlockedClients: (req: Request, res: Response, next: NextFunction) => void;
  /**
   * Counts a failed sign-in of the client. Returns the error to answer with instead of 401 once its bucket
   * is empty, and whether this failure is worth an audit record (not once the client is limited, so an
   * attack cannot flood the audit log).
   */
  signInFailed(req: Request): Promise<{ limited?: AmtsboteError; audit: boolean; client: string }>;
}

/**
 * Token buckets in the store (shared by every instance): one per portal for its requests, one per client
 * address for failed sign-ins. Client addresses are personal data: the bucket key and the audit record
 * carry a keyed hash of the address, never the address.
 */
export function rateLimits(options: {
  store: Store;
  limits: GatewayConfig['limits'];
  hash: KeyedHash;
  now: () => number;
}): RateLimits {
  const { store, limits } = options;
  const blockedUntil = new Map<string, number>();
  const clientOf = (req: Request) =>
    options.hash(`client:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`).slice(12, 36);
  const limited = (retryAfter: number) =>
    new AmtsboteError(
      'rate-limited',
      `Wait ${retryAfter} second${retryAfter === 1 ? '' : 's'} before the next request.`,
      [],
      { retryAfter },
    );
  const signInBucket = { ratePerSecond: limits.failedSignInsPerMinute / 60, burst: limits.failedSignInsPerMinute };
  // A bucket idle for longer than its refill time is full, as if absent: swept at most once an hour (after a
  // day at least), so that every address that ever failed a sign-in does not stay in the store. A failed
  // sweep changes nothing and is tried again an hour later.
  const fullAfterMs =
    1000 *
    Math.max(limits.portalBurst / limits.portalRequestsPerSecond, signInBucket.burst / signInBucket.ratePerSecond);
  let lastSweep = options.now();
  const sweepNow = () => {
    const now = options.now();
    if (now - lastSweep < 3_600_000) return;
    lastSweep = now;
    store.sweepRateBuckets(now - Math.max(86_400_000, fullAfterMs)).catch(() => undefined);
  };

  return {
    async portalRequest(portalId) {
      sweepNow();
      const taken = await store.takeRateToken(`portal:${portalId}`, options.now(), {
        ratePerSecond: limits.portalRequestsPerSecond,
        burst: limits.portalBurst,
      });
      if (!taken.ok) throw limited(taken.retryAfterSeconds);
    },
    refuseBlockedClients: (req, _res, next) => {
      const client = clientOf(req);
      const until = blockedUntil.get(client);
      if (until === undefined) {
        next();
        return;
      }
      const left = Math.ceil((until - options.now()) / 1000);
      if (left > 0) throw limited(left);
      blockedUntil.delete(client);
      next();
    },
    async signInFailed(req) {
      // Here above all: failed sign-ins from ever new addresses are what makes the table grow.
      sweepNow();
      const client = clientOf(req);
      const taken = await store.takeRateToken(`sign-in:${client}`, options.now(), signInBucket);
      if (taken.ok) return { audit: true, client };
      // Bounded: an attacker rotating addresses cannot grow the map past this.
      if (blockedUntil.size >= 10_000) blockedUntil.clear();
      blockedUntil.set(client, options.now() + taken.retryAfterSeconds * 1000);
      return { limited: limited(taken.retryAfterSeconds), audit: false, client };
    },
  };
}
