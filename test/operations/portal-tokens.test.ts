import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activeTokenHashes, hashToken } from '../../src/lib/token-hash.js';
import { addPortal, rotatePortalToken } from '../../src/operations/portal-tokens.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { storeFactories } from '../helpers/stores.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-tokens-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('portal tokens', () => {
  it('keeps a rotated-out token valid for the overlap only, and drops it afterwards', async () => {
    const store = openSqliteStore(join(dir, 'a.sqlite'));
    await store.migrate();
    const t0 = new Date('2026-11-25T10:00:00Z');
    const { token: first } = await addPortal(
      store,
      { id: 'p', name: 'P', services: ['*'], regions: ['14'] },
      t0,
      'test',
    );
    const { token: second } = await rotatePortalToken(store, 'p', t0, 24, 'test');
    const tokens = (await store.getPortal('p'))!.tokens;
    const at = (iso: string) => activeTokenHashes(tokens, new Date(iso));
    expect(at('2026-11-26T09:59:59Z')).toEqual([hashToken(first), hashToken(second)]);
    expect(at('2026-11-26T10:00:00Z')).toEqual([hashToken(second)]);

    const t1 = new Date('2026-11-27T00:00:00Z');
    const { token: third } = await rotatePortalToken(store, 'p', t1, 24, 'test');
    expect((await store.getPortal('p'))!.tokens.map((t) => t.hash)).toEqual([hashToken(second), hashToken(third)]);
    await expect(rotatePortalToken(store, 'nobody', t1, 24, 'test')).rejects.toThrow(/No such portal/);
    // audited whoever does it (admin API or CLI), without the tokens
    const audit = await store.listAudit(10);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['portals.rotate-token', 'test'],
      ['portals.rotate-token', 'test'],
      ['portals.add', 'test'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(third);
    await store.close();
  });
});

describe.each(storeFactories)('token rotation on the $kind store', (factory) => {
  it('gives every one of several concurrent rotations a token that works (no lost update)', async () => {
    const location = await factory.create();
    // Two instances on PostgreSQL (two pools); SQLite serves one process, so one store rotates concurrently.
    const stores = factory.sharedByInstances ? [location.open(), location.open()] : [location.open()];
    try {
      await stores[0]!.migrate();
      const t0 = new Date('2026-11-25T10:00:00Z');
      const { token: first } = await addPortal(
        stores[0]!,
        { id: 'p', name: 'P', services: ['*'], regions: ['14'] },
        t0,
        'test',
      );
      const rotated = await Promise.all(
        [0, 1, 2, 3].map((i) => rotatePortalToken(stores[i % stores.length]!, 'p', t0, 24, 'test')),
      );
      const valid = activeTokenHashes((await stores[0]!.getPortal('p'))!.tokens, t0);
      for (const token of [first, ...rotated.map((r) => r.token)]) expect(valid).toContain(hashToken(token));
    } finally {
      for (const store of stores) await store.close();
      await location.remove();
    }
  });
});
