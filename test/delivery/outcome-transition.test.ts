import { describe, expect, it } from 'vitest';
import { awaitingPickup, delivered, failed, retry } from '../../src/adapters/types.js';
import { transitionFor } from '../../src/delivery/outcome-transition.js';

const now = new Date('2026-03-02T10:00:00.000Z');
const policy = { initialDelaySeconds: 5, maxDelaySeconds: 60, maxAttempts: 3 };
const claim = { attempts: 1, adapterState: { submission: 'saved-before' } };

describe('the transition an attempt outcome causes', () => {
  it("delivered: final for the outbox, the outcome's progress kept, or else what was saved before", () => {
    expect(transitionFor(claim, policy, delivered({ state: { submission: 'new' }, httpStatus: 200 }), now)).toEqual({
      state: 'delivered',
      attempts: 2,
      nextAttemptAt: null,
      adapterState: { submission: 'new' },
    });
    expect(transitionFor(claim, policy, delivered(), now)).toMatchObject({
      state: 'delivered',
      adapterState: { submission: 'saved-before' },
    });
  });

  it('awaiting pickup: still pending, due again when the pickup deadline passes', () => {
    const until = new Date('2026-03-09T10:00:00.000Z');
    expect(transitionFor(claim, policy, awaitingPickup(until, { mailbox: true }), now)).toEqual({
      state: 'pending',
      attempts: 2,
      nextAttemptAt: '2026-03-09T10:00:00.000Z',
      adapterState: { mailbox: true },
    });
  });

  it('failed: dead-lettered at once with the reason, whatever attempts are left', () => {
    expect(transitionFor({ attempts: 0 }, policy, failed('receiver-rejected-message', 422), now)).toEqual({
      state: 'dead-lettered',
      attempts: 1,
      nextAttemptAt: null,
      adapterState: undefined,
      lastError: 'receiver-rejected-message',
    });
    expect(transitionFor(claim, policy, failed('x'), now).adapterState).toEqual({ submission: 'saved-before' });
  });

  it('retry with attempts left: pending, due after the back-off (at most its cap), the reason kept', () => {
    const next = transitionFor(claim, policy, retry('http-503', { httpStatus: 503 }), now);
    expect(next).toMatchObject({
      state: 'pending',
      attempts: 2,
      adapterState: { submission: 'saved-before' },
      lastError: 'http-503',
    });
    const delayMs = Date.parse(next.nextAttemptAt ?? '') - now.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(0);
    expect(delayMs).toBeLessThanOrEqual(60_000);
  });

  it('retry with attempts left: a later Retry-After wins over the back-off', () => {
    const next = transitionFor(claim, policy, retry('http-429', { afterMs: 3_600_000, state: { cursor: 7 } }), now);
    expect(next).toEqual({
      state: 'pending',
      attempts: 2,
      nextAttemptAt: '2026-03-02T11:00:00.000Z',
      adapterState: { cursor: 7 },
      lastError: 'http-429',
    });
  });

  it('retry with the attempts used up: dead-lettered, the reason saying after how many', () => {
    expect(transitionFor({ attempts: 2, adapterState: 's' }, policy, retry('timeout'), now)).toEqual({
      state: 'dead-lettered',
      attempts: 3,
      nextAttemptAt: null,
      adapterState: 's',
      lastError: 'timeout (after 3 attempts)',
    });
  });
});
