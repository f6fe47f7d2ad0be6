import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../src/config/gateway-schema.js';
import { rateLimits } from '../../src/http/rate-limits.js';
import { keyedHash } from '../../src/lib/keyed-hash.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-sweep-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A request as far as the client address goes. */
const from = (ip: string) => ({ ip, socket: {} }) as unknown as Request;

describe('rate-limit buckets', () => {
  it('are swept by failed sign-ins alone once a day has passed, so addresses do not pile up', async () => {
    const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
    try {
      await store.migrate();
      let now = Date.UTC(2026, 11, 4, 10);
      const limits = gatewaySchema.parse({}).limits;
      const rl = rateLimits({
        store,
        limits: { ...limits, failedSignInsPerMinute: 2 },
        hash: keyedHash(Buffer.alloc(32, 1)),
        now: () => now,
      });
      await rl.signInFailed(from('198.51.100.1'));
      await rl.signInFailed(from('198.51.100.1'));
      expect((await rl.signInFailed(from('198.51.100.1'))).limited).toBeDefined();

      // A day and an hour later another address fails: the sweep runs and deletes the idle bucket.
      now += 25 * 3_600_000;
      // The sweep is not awaited, but it was queued on the buckets' one connection before this failure's take.
      await rl.signInFailed(from('203.0.113.9'));
      expect(await store.sweepRateBuckets(now + 1)).toBe(1); // only the new address's bucket was left
    } finally {
      await store.close();
    }
  });
});
