import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHash, genesisHash } from '../../src/store/event-chain.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import type { NewSubmission } from '../../src/store/types.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function freshStore(dir = mkdtempSync(join(tmpdir(), 'amtsbote-store-'))) {
  dirs.push(dir);
  const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
  stores.push(store);
  await store.migrate();
  return { store, dir };
}

function submission(id: string, over: Partial<NewSubmission> = {}): NewSubmission {
  return {
    id,
    portalId: 'amt24',
    serviceKey: '99050012104000',
    regionKey: '146120000000',
    status: 'pending',
    test: false,
    dataHmac: 'hmac-sha512:x',
    attachments: [{ id: 'a1', mediaType: 'application/pdf', size: 10, hmac: 'hmac-sha512:y' }],
    receivedAt: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

const event = { at: '2026-11-25T10:00:00.000Z', type: 'received', data: { status: 'pending' } };

describe('SQLite store', () => {
  it('migrates idempotently and runs in WAL mode', async () => {
    const { store, dir } = await freshStore();
    await store.migrate();
    await store.ping();
    expect(store.kind).toBe('sqlite');
    const probe = new BetterSqlite3(join(dir, 'amtsbote.sqlite'), { readonly: true });
    expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    probe.close();
  });

  it('keeps a submission with its deliveries and first event across a reopen', async () => {
    const { store, dir } = await freshStore();
    const result = await store.acceptSubmission({
      submission: submission('s1', { reference: 'REF-1', payment: { method: 'giropay', status: 'paid', amount: 26 } }),
      deliveries: [
        { id: 'm1', destinationId: 'dresden-gewerbeamt', state: 'pending' },
        { id: 'm2', destinationId: 'statistik-sachsen', state: 'pending' },
      ],
      event,
    });
    expect(result).toEqual({ kind: 'created' });
    await store.close();
    stores.pop();
    const reopened = openSqliteStore(join(dir, 'amtsbote.sqlite'));
    stores.push(reopened);
    await reopened.migrate();
    const record = await reopened.getSubmission('s1');
    expect(record).toMatchObject({ id: 's1', reference: 'REF-1', status: 'pending', payment: { amount: 26 } });
    expect(record?.deliveries.map((d) => [d.id, d.state, d.attempts, d.nextAttemptAt])).toEqual([
      ['m1', 'pending', 0, '2026-11-25T10:00:00.000Z'],
      ['m2', 'pending', 0, '2026-11-25T10:00:00.000Z'],
    ]);
    const events = await reopened.listEvents('s1');
    expect(events).toHaveLength(1);
    expect(events[0]?.prevHash).toBe(genesisHash);
    expect(events[0]?.hash).toBe(eventHash(genesisHash, 's1', 1, event));
  });

  it('binds an idempotency key to its first submission and lets it expire', async () => {
    const { store } = await freshStore();
    const idempotency = { key: 'k1', contentHmac: 'c1', expiresAt: '2026-11-26T10:00:00.000Z' };
    expect(await store.acceptSubmission({ submission: submission('s1'), deliveries: [], event, idempotency })).toEqual({ kind: 'created' });
    expect(await store.acceptSubmission({ submission: submission('s2'), deliveries: [], event, idempotency: { ...idempotency, contentHmac: 'c2' } })).toEqual({
      kind: 'existing',
      submissionId: 's1',
      contentHmac: 'c1',
    });
    expect(await store.getSubmission('s2')).toBeUndefined();
    expect(await store.findIdempotencyKey('amt24', 'k1', '2026-11-25T12:00:00.000Z')).toEqual({ submissionId: 's1', contentHmac: 'c1' });
    expect(await store.findIdempotencyKey('other', 'k1', '2026-11-25T12:00:00.000Z')).toBeUndefined();
    expect(await store.findIdempotencyKey('amt24', 'k1', '2026-11-26T10:00:00.000Z')).toBeUndefined();
    const plan = { now: '2026-11-26T10:00:00.000Z', groups: [], auditCutoff: '2000-01-01T00:00:00.000Z' };
    expect((await store.purgeExpired(plan, false)).idempotencyKeys).toBe(1);
    // after expiry the key may be used again
    const later = submission('s3', { receivedAt: '2026-11-27T00:00:00.000Z' });
    expect(await store.acceptSubmission({ submission: later, deliveries: [], event, idempotency: { key: 'k1', contentHmac: 'c3', expiresAt: '2026-11-28T00:00:00.000Z' } })).toEqual({ kind: 'created' });
  });

  it('commits all or nothing: a failing delivery insert leaves no submission behind', async () => {
    const { store } = await freshStore();
    await store.acceptSubmission({ submission: submission('s1'), deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }], event });
    await expect(
      store.acceptSubmission({ submission: submission('s2'), deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }], event }),
    ).rejects.toThrow();
    expect(await store.getSubmission('s2')).toBeUndefined();
    expect(await store.listEvents('s2')).toEqual([]);
  });

  it('seeds portals only into an empty store', async () => {
    const { store } = await freshStore();
    const portal = { id: 'amt24', name: 'Amt24', tokens: [{ hash: 'sha256:' + 'a'.repeat(64) }], services: ['*'], regions: ['14'] };
    expect(await store.seedPortals([portal], event.at)).toBe(1);
    expect(await store.seedPortals([{ ...portal, id: 'other' }], event.at)).toBe(0);
    expect(await store.listPortals()).toEqual([portal]);
  });

  it('adds portals and replaces their tokens', async () => {
    const { store } = await freshStore();
    const portal = { id: 'p1', name: 'P1', tokens: [{ hash: 'sha256:' + 'b'.repeat(64) }], services: ['*'], regions: ['14'] };
    expect(await store.insertPortal(portal, event.at)).toBe(true);
    expect(await store.insertPortal(portal, event.at)).toBe(false);
    const tokens = [{ hash: 'sha256:' + 'b'.repeat(64), notAfter: '2026-11-26T00:00:00.000Z' }, { hash: 'sha256:' + 'c'.repeat(64) }];
    expect(await store.setPortalTokens('p1', tokens, event.at)).toBe(true);
    expect(await store.setPortalTokens('nobody', tokens, event.at)).toBe(false);
    expect((await store.getPortal('p1'))?.tokens).toEqual(tokens);
  });

  it('appends routing versions only on top of the version the writer saw', async () => {
    const { store } = await freshStore();
    expect(await store.currentRoutingVersionNumber()).toBe(0);
    const entry = { document: { destinations: [], rules: [] }, author: 'config', note: 'seed', createdAt: event.at };
    expect(await store.appendRoutingVersion(0, entry)).toBe(1);
    expect(await store.appendRoutingVersion(0, entry)).toBeUndefined();
    expect(await store.appendRoutingVersion(1, { ...entry, author: 'editor', note: 'second' })).toBe(2);
    const racing = await Promise.all([store.appendRoutingVersion(2, entry), store.appendRoutingVersion(2, entry)]);
    expect(racing.filter((v) => v === 3)).toHaveLength(1);
    expect(racing.filter((v) => v === undefined)).toHaveLength(1);
    expect((await store.currentRouting())?.version).toBe(3);
    expect((await store.getRoutingVersion(2))?.note).toBe('second');
    expect((await store.listRoutingVersions()).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('saves an attempt\'s progress only under the claim\'s fence, and lists delivered messages for polling with theirs', async () => {
    const { store, dir } = await freshStore();
    await store.acceptSubmission({ submission: submission('s-poll'), deliveries: [{ id: 'm-1', destinationId: 'fit', state: 'pending' }, { id: 'm-2', destinationId: 'fit', state: 'pending' }], event });
    const at = '2026-11-25T10:00:01.000Z';
    const claims = await store.claimDeliveries({ owner: 'w', now: at, leaseUntil: '2026-11-25T10:10:00.000Z', limit: 2, excludeDestinations: [] });
    const first = claims.find((c) => c.id === 'm-1')!;
    expect(await store.saveAdapterState('m-1', first.fence + 1, { submissionId: 'stale' })).toBe(false);
    expect(await store.saveAdapterState('m-1', first.fence, { submissionId: 'x', uploaded: [] })).toBe(true);
    // The outcome then completes the delivery with the progress saved mid-attempt.
    await store.recordAttempt({ id: 'm-1', fence: first.fence, attempt: { worker: 'w', startedAt: at, durationMs: 1, outcome: 'delivered' }, transition: { state: 'delivered', attempts: 1, nextAttemptAt: null, adapterState: { submissionId: 'x', submitted: true } }, now: at });
    expect(await store.listPollable({ destinationIds: ['fit'], limit: 10 })).toEqual([{ id: 'm-1', submissionId: 's-poll', destinationId: 'fit', adapterState: { submissionId: 'x', submitted: true } }]);
    expect(await store.listPollable({ destinationIds: ['other'], limit: 10 })).toEqual([]);
    await store.savePolledState('m-1', { submissionId: 'x', submitted: true, eventsRead: 3 });
    expect((await store.listPollable({ destinationIds: ['fit'], limit: 10 }))[0]?.adapterState).toEqual({ submissionId: 'x', submitted: true, eventsRead: 3 });
    // m-2 is still pending: a poll's write cannot touch an attempt's state.
    await store.savePolledState('m-2', { eventsRead: 9 });
    const db = new BetterSqlite3(join(dir, 'amtsbote.sqlite'), { readonly: true });
    expect(db.prepare('select adapter_state from deliveries where id = ?').get('m-2')).toEqual({ adapter_state: null });
    db.close();
  });
});
