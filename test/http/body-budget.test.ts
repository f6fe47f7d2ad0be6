import { describe, expect, it } from 'vitest';
import { isAmtsboteError } from '../../src/lib/errors.js';
import { createBodyBudget } from '../../src/http/body-budget.js';

const settle = <T>(p: Promise<T>) =>
  p.then(
    () => 'granted' as const,
    (e: unknown) => e,
  );

describe('the memory budget for request bodies', () => {
  it('grants what fits at once and makes the rest wait until it is released, first come first served', async () => {
    const budget = createBodyBudget({ maxBytes: 100, maxWaitMs: 10_000, retryAfterSeconds: 5 });
    await budget.reserve(60);
    const order: string[] = [];
    const big = budget.reserve(50).then(() => order.push('big'));
    const small = budget.reserve(10).then(() => order.push('small'));
    await new Promise((r) => setTimeout(r, 20));
    // The small one would fit, but waits behind the big one: a large upload is not starved.
    expect(order).toEqual([]);
    expect(budget.inUse()).toBe(60);
    budget.release(60);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(budget.inUse()).toBe(60);
  });

  it('answers 503 with Retry-After when the wait is over, and forgets the waiter', async () => {
    const budget = createBodyBudget({ maxBytes: 100, maxWaitMs: 30, retryAfterSeconds: 7 });
    await budget.reserve(90);
    const outcome = await settle(budget.reserve(20));
    expect(isAmtsboteError(outcome) && outcome.code).toBe('unavailable');
    expect(isAmtsboteError(outcome) && outcome.extensions.retryAfter).toBe(7);
    budget.release(90);
    expect(budget.inUse()).toBe(0);
    // A refused waiter at the head no longer holds back those behind it.
    await budget.reserve(100);
    expect(budget.inUse()).toBe(100);
  });

  it('admits one body larger than the whole budget when nothing else is held', async () => {
    const budget = createBodyBudget({ maxBytes: 100, maxWaitMs: 30, retryAfterSeconds: 1 });
    await budget.reserve(250);
    expect(budget.inUse()).toBe(250);
    expect(isAmtsboteError(await settle(budget.reserve(1)))).toBe(true);
    budget.release(250);
    await budget.reserve(1);
  });

  it('never counts below zero', () => {
    const budget = createBodyBudget({ maxBytes: 100, maxWaitMs: 30, retryAfterSeconds: 1 });
    budget.release(10);
    expect(budget.inUse()).toBe(0);
  });
});
