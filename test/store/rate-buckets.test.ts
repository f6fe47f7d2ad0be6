import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';

describe.each(storeFactories)('rate buckets in the $kind store', (factory) => {
  let location: StoreLocation;
  let store: Store;
  beforeAll(async () => {
    location = await factory.create();
    store = location.open();
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await location.remove();
  });

  const bucket = { ratePerSecond: 2, burst: 5 };

  it('lets a burst through at once, then as many as have refilled', async () => {
    const t0 = 1_800_000_000_000;
    const taken = await Promise.all(Array.from({ length: 8 }, () => store.takeRateToken('portal:a', t0, bucket)));
    expect(taken.filter((t) => t.ok)).toHaveLength(5);
    const refused = taken.find((t) => !t.ok);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    // 1.5 s later three tokens have come back (2 per second, the first one partly spent)
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await store.takeRateToken('portal:a', t0 + 1500, bucket));
    expect(later.map((t) => t.ok)).toEqual([true, true, true, false]);
  });

  it('never fills a bucket beyond its burst, and keeps buckets apart', async () => {
    const t0 = 1_900_000_000_000;
    expect(await store.takeRateToken('portal:b', t0, bucket)).toEqual({ ok: true, left: 4 });
    expect(await store.takeRateToken('portal:b', t0 + 3_600_000, bucket)).toEqual({ ok: true, left: 4 });
    expect(await store.takeRateToken('portal:c', t0, bucket)).toEqual({ ok: true, left: 4 });
  });

  it('sweeps buckets idle since a cut-off, which then start full again, and keeps the others', async () => {
    const t0 = 2_000_000_000_000;
    for (let i = 0; i < 5; i++) await store.takeRateToken('sign-in:old', t0, bucket);
    expect((await store.takeRateToken('sign-in:old', t0, bucket)).ok).toBe(false);
    for (let i = 0; i < 5; i++) await store.takeRateToken('sign-in:recent', t0 + 10_000, bucket);
    expect(await store.sweepRateBuckets(t0 + 1)).toBeGreaterThanOrEqual(1);
    expect(await store.takeRateToken('sign-in:old', t0 + 2, bucket)).toEqual({ ok: true, left: 4 });
    expect((await store.takeRateToken('sign-in:recent', t0 + 10_000, bucket)).ok).toBe(false);
  });
});

describe('rate buckets of the SQLite store', () => {
  it('stay in memory: one gateway process per data dir shares them with nobody, and they cost no fsync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-buckets-'));
    const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
    try {
      await store.migrate();
      expect((await store.takeRateToken('portal:a', Date.now(), { ratePerSecond: 1, burst: 3 })).ok).toBe(true);
      const file = new BetterSqlite3(join(dir, 'amtsbote.sqlite'), { readonly: true });
      try {
        expect(file.prepare('SELECT count(*) AS n FROM rate_buckets').get()).toEqual({ n: 0 });
      } finally {
        file.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
