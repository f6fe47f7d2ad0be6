import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, defaultRetry } from '../../src/delivery/retry-policy.js';

describe('retry policy', () => {
  it('grows exponentially with jitter from 5 s, capped at 10 h', () => {
    for (let run = 0; run < 20; run++) {
      const first = backoffDelayMs(defaultRetry, 1);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThanOrEqual(5_000 * 4);
      for (let attempt = 1; attempt <= 20; attempt++)
        expect(backoffDelayMs(defaultRetry, attempt)).toBeLessThanOrEqual(36_000_000);
    }
    const median = (attempt: number) => {
      const samples = Array.from({ length: 41 }, () => backoffDelayMs(defaultRetry, attempt)).sort((a, b) => a - b);
      return samples[20]!;
    };
    expect(median(8)).toBeGreaterThan(median(2));
  });

  it('spans about a day by default before dead-lettering', () => {
    const runs = Array.from({ length: 30 }, () => {
      let total = 0;
      for (let attempt = 1; attempt < defaultRetry.maxAttempts; attempt++)
        total += backoffDelayMs(defaultRetry, attempt);
      return total / 3_600_000;
    }).sort((a, b) => a - b);
    const median = runs[15]!;
    expect(median).toBeGreaterThan(12);
    expect(median).toBeLessThan(72);
  });

  it('dead-letters after the last attempt and honours a later Retry-After, capped at a day', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(decideRetry(defaultRetry, defaultRetry.maxAttempts, now)).toEqual({ deadLetter: true });
    const quick = { ...defaultRetry, initialDelaySeconds: 0.01, maxDelaySeconds: 0.01 };
    expect(decideRetry(quick, 1, now, 120_000).nextAttemptAt?.getTime()).toBe(now.getTime() + 120_000);
    expect(decideRetry(quick, 1, now, 10 * 86_400_000).nextAttemptAt?.getTime()).toBe(now.getTime() + 86_400_000);
  });
});
