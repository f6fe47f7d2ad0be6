import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { Destination } from '../config/routing-schema.js';

/**
 * The delay before attempt `attempt + 1`, from cockatiel's exponential back-off with decorrelated jitter.
 * The schedule lives in the store (each delivery's attempts and next attempt time), not in a process:
 * the back-off is replayed from the first step to the delivery's attempt count, so any instance computes
 * the next delay of any delivery.
 */
export function backoffDelayMs(retry: Destination['retry'], attempt: number): number {
  const factory = new ExponentialBackoff({
    initialDelay: retry.initialDelaySeconds * 1000,
    maxDelay: retry.maxDelaySeconds * 1000,
  });
  let step: IBackoff<unknown> = factory.next();
  for (let i = 1; i < attempt; i++) step = step.next(undefined);
  return step.duration;
}

/** The schedule of a destination that names none: 5 s doubling to 10 h, 16 attempts — about a day. */
export const defaultRetry: Destination['retry'] = { initialDelaySeconds: 5, maxDelaySeconds: 36_000, maxAttempts: 16 };

export interface RetryDecision {
  deadLetter: boolean;
  nextAttemptAt?: Date;
}

/**
 * After a failed attempt: dead-letter once the attempts are used up, else the next attempt time —
 * the back-off delay, or the receiver's Retry-After where that is later (capped at a day).
 */
export function decideRetry(
  retry: Destination['retry'],
  attemptsSoFar: number,
  now: Date,
  retryAfterMs?: number,
): RetryDecision {
  if (attemptsSoFar >= retry.maxAttempts) return { deadLetter: true };
  const delay = Math.max(backoffDelayMs(retry, attemptsSoFar), Math.min(retryAfterMs ?? 0, 86_400_000));
  return { deadLetter: false, nextAttemptAt: new Date(now.getTime() + delay) };
}
