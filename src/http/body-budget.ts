import { AmtsboteError } from '../lib/errors.js';
import { LARGE_SUBMISSION_BYTES, reclaimMemory } from '../intake/reclaim-memory.js';

/**
 * Bytes of request bodies the process holds at once. A submission's body is read into memory and stays there
 * (decoded, mapped, sealed) until its answer is sent, so without a bound eight 23 MB uploads cost gigabytes.
 * A request that does not fit waits, first come first served, for at most `maxWaitMs`; then it gets 503
 * with `Retry-After` — its body unread, so it costs nothing but its socket.
 */
export interface BodyBudget {
  /** Reserves `bytes` (waiting while others hold the budget); throws a 503 problem after the wait. */
  reserve(bytes: number): Promise<void>;
  release(bytes: number): void;
  /** Bytes reserved now (for metrics and tests). */
  inUse(): number;
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

export function createBodyBudget(settings: {
  maxBytes: number;
  maxWaitMs: number;
  retryAfterSeconds: number;
}): BodyBudget {
  let used = 0;
  const queue: Waiter[] = [];

  // Grants waiters in order; one that needs more than is free holds back those behind it, so a large
  // upload is not starved by a stream of small ones.
  const grantWaiting = () => {
    while (queue.length > 0) {
      const head = queue[0] as Waiter;
      if (used > 0 && used + head.bytes > settings.maxBytes) return;
      queue.shift();
      used += head.bytes;
      head.grant();
    }
  };

  const unavailable = () =>
    new AmtsboteError(
      'unavailable',
      'The gateway is receiving as much data as it may hold at once; send the submission again shortly.',
      [],
      {
        retryAfter: settings.retryAfterSeconds,
      },
    );

  return {
    reserve(bytes) {
      // A body larger than the whole budget is still admitted, alone: the body limit, not the budget,
      // decides what is too large.
      if (queue.length === 0 && (used === 0 || used + bytes <= settings.maxBytes)) {
        used += bytes;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          bytes,
          grant: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          reject(unavailable());
          // the head may have been this waiter, blocking smaller ones that fit now
          grantWaiting();
        }, settings.maxWaitMs);
        queue.push(waiter);
      });
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
      // A large body's request has ended: its sealed buffers are garbage. Collected now, before the next large
      // body is let in (one waiting, or one sent again after a 503), they do not stack on its peak (issue 19, F4).
      if (bytes >= LARGE_SUBMISSION_BYTES) reclaimMemory();
      grantWaiting();
    },
    inUse: () => used,
  };
}
