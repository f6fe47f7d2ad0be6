import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHash, genesisHash } from '../../src/store/event-chain.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';
import { testSubmission } from '../helpers/submissions.js';

const locations: StoreLocation[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const l of locations.splice(0)) await l.remove();
});

const event = { at: '2026-11-25T10:00:00.000Z', type: 'received', data: { status: 'pending' } };

describe('SQLite store', () => {
  it('runs in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-store-'));
    const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
    try {
      await store.migrate();
      const probe = new BetterSqlite3(join(dir, 'amtsbote.sqlite'), { readonly: true });
      expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
      probe.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(storeFactories)('$kind store', (factory) => {
  /** A migrated store in a new, empty location; `open` gives further connections to the same data. */
  async function freshStore() {
    const location = await factory.create();
    locations.push(location);
    const open = async () => {
      const store = location.open();
      stores.push(store);
      await store.migrate();
      return store;
    };
    const store = await open();
    /** Another gateway instance on the same data (PostgreSQL); SQLite's one process works through one connection. */
    const peer = async () => (factory.sharedByInstances ? open() : store);
    return { store, open, peer };
  }

  // Issue 19 F4: intake hands the store its large sealed bodies as bytes (bound without a UTF-8 copy);
  // whichever way a body was written, it reads back as the same text, also after a reopen.
  it('takes sealed message and escrow bodies as bytes or text and gives both back as text', async () => {
    const { store, open } = await freshStore();
    const message = `{"format":"amtsbote-sealed/1","note":"Ölmühle ${'x'.repeat(70_000)}"}`;
    await store.acceptSubmission({
      submission: testSubmission('s-bytes'),
      deliveries: [
        { id: 'm-bytes', destinationId: 'dresden-gewerbeamt', state: 'pending' },
        { id: 'm-text', destinationId: 'statistik-sachsen', state: 'pending' },
      ],
      messages: [
        { deliveryId: 'm-bytes', contentType: 'application/json', body: Buffer.from(message, 'utf8') },
        { deliveryId: 'm-text', contentType: 'application/json', body: message },
      ],
      escrow: { escrowKid: 'esc-1', body: Buffer.from('eyJhbGciOi.ek.iv.ct.tag', 'latin1') },
      event,
    });
    await store.close();
    const reopened = await open();
    expect(await reopened.getSealedMessage('m-bytes')).toEqual({
      deliveryId: 'm-bytes',
      contentType: 'application/json',
      body: message,
    });
    expect((await reopened.getSealedMessage('m-text'))?.body).toBe(message);
    expect(await reopened.getEscrowCopy('s-bytes')).toEqual({
      submissionId: 's-bytes',
      escrowKid: 'esc-1',
      body: 'eyJhbGciOi.ek.iv.ct.tag',
    });
  });

  it('migrates idempotently, also when two instances migrate an empty store at once', async () => {
    const location = await factory.create();
    locations.push(location);
    const a = location.open();
    const b = factory.sharedByInstances ? location.open() : a;
    stores.push(a, b);
    await Promise.all([a.migrate(), b.migrate()]);
    await a.migrate();
    await b.ping();
    expect(a.kind).toBe(factory.kind);
    expect(await b.currentRoutingVersionNumber()).toBe(0);
  });

  it('keeps a submission with its deliveries and first event across a reopen', async () => {
    const { store, open } = await freshStore();
    const result = await store.acceptSubmission({
      submission: testSubmission('s1', { reference: 'REF-1', payment: { method: 'giropay', status: 'paid' } }),
      deliveries: [
        { id: 'm1', destinationId: 'dresden-gewerbeamt', state: 'pending' },
        { id: 'm2', destinationId: 'statistik-sachsen', state: 'pending' },
      ],
      event,
    });
    expect(result).toEqual({ kind: 'created' });
    await store.close();
    const reopened = await open();
    const record = await reopened.getSubmission('s1');
    expect(record).toMatchObject({
      id: 's1',
      reference: 'REF-1',
      status: 'pending',
      payment: { method: 'giropay', status: 'paid' },
    });
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
    expect(
      await store.acceptSubmission({ submission: testSubmission('s1'), deliveries: [], event, idempotency }),
    ).toEqual({ kind: 'created' });
    expect(
      await store.acceptSubmission({
        submission: testSubmission('s2'),
        deliveries: [],
        event,
        idempotency: { ...idempotency, contentHmac: 'c2' },
      }),
    ).toEqual({
      kind: 'existing',
      submissionId: 's1',
      contentHmac: 'c1',
    });
    expect(await store.getSubmission('s2')).toBeUndefined();
    expect(await store.findIdempotencyKey('amt24', 'k1', '2026-11-25T12:00:00.000Z')).toEqual({
      submissionId: 's1',
      contentHmac: 'c1',
    });
    expect(await store.findIdempotencyKey('other', 'k1', '2026-11-25T12:00:00.000Z')).toBeUndefined();
    expect(await store.findIdempotencyKey('amt24', 'k1', '2026-11-26T10:00:00.000Z')).toBeUndefined();
    const plan = {
      now: '2026-11-26T10:00:00.000Z',
      groups: [],
      auditCutoff: '2000-01-01T00:00:00.000Z',
      replyCutoff: '2000-01-01T00:00:00.000Z',
    };
    expect((await store.purgeExpired(plan, false)).idempotencyKeys).toBe(1);
    // after expiry the key may be used again
    const later = testSubmission('s3', { receivedAt: '2026-11-27T00:00:00.000Z' });
    expect(
      await store.acceptSubmission({
        submission: later,
        deliveries: [],
        event,
        idempotency: { key: 'k1', contentHmac: 'c3', expiresAt: '2026-11-28T00:00:00.000Z' },
      }),
    ).toEqual({ kind: 'created' });
  });

  it('commits all or nothing: a failing delivery insert leaves no submission behind', async () => {
    const { store } = await freshStore();
    await store.acceptSubmission({
      submission: testSubmission('s1'),
      deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }],
      event,
    });
    await expect(
      store.acceptSubmission({
        submission: testSubmission('s2'),
        deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }],
        event,
      }),
    ).rejects.toThrow();
    expect(await store.getSubmission('s2')).toBeUndefined();
    expect(await store.listEvents('s2')).toEqual([]);
  });

  it('seeds portals only into an empty store', async () => {
    const { store } = await freshStore();
    const portal = {
      id: 'amt24',
      name: 'Amt24',
      tokens: [{ hash: 'sha256:' + 'a'.repeat(64) }],
      services: ['*'],
      regions: ['14'],
    };
    expect(await store.seedPortals([portal], event.at)).toBe(1);
    expect(await store.seedPortals([{ ...portal, id: 'other' }], event.at)).toBe(0);
    expect(await store.listPortals()).toEqual([portal]);
  });

  it('adds portals and replaces their tokens', async () => {
    const { store } = await freshStore();
    const portal = {
      id: 'p1',
      name: 'P1',
      tokens: [{ hash: 'sha256:' + 'b'.repeat(64) }],
      services: ['*'],
      regions: ['14'],
    };
    expect(await store.insertPortal(portal, event.at)).toBe(true);
    expect(await store.insertPortal(portal, event.at)).toBe(false);
    const tokens = [
      { hash: 'sha256:' + 'b'.repeat(64), notAfter: '2026-11-26T00:00:00.000Z' },
      { hash: 'sha256:' + 'c'.repeat(64) },
    ];
    expect(await store.setPortalTokens('p1', tokens, event.at)).toBe(true);
    expect(await store.setPortalTokens('nobody', tokens, event.at)).toBe(false);
    expect((await store.getPortal('p1'))?.tokens).toEqual(tokens);
    // compare-and-set: only on top of the tokens the writer read
    const next = [{ hash: 'sha256:' + 'd'.repeat(64) }];
    expect(await store.setPortalTokens('p1', next, event.at, portal.tokens)).toBe(false);
    expect(await store.setPortalTokens('p1', next, event.at, (await store.getPortal('p1'))!.tokens)).toBe(true);
    expect((await store.getPortal('p1'))?.tokens).toEqual(next);
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

  it("saves an attempt's progress only under the claim's fence, and lists delivered messages for polling with theirs", async () => {
    const { store } = await freshStore();
    await store.acceptSubmission({
      submission: testSubmission('s-poll'),
      deliveries: [
        { id: 'm-1', destinationId: 'fit', state: 'pending' },
        { id: 'm-2', destinationId: 'fit', state: 'pending' },
      ],
      event,
    });
    const at = '2026-11-25T10:00:01.000Z';
    const claims = await store.claimDeliveries({
      owner: 'w',
      now: at,
      leaseUntil: '2026-11-25T10:10:00.000Z',
      limit: 2,
      excludeDestinations: [],
    });
    const first = claims.find((c) => c.id === 'm-1')!;
    expect(await store.saveAdapterState('m-1', first.fence + 1, { submissionId: 'stale' })).toBe(false);
    expect(await store.saveAdapterState('m-1', first.fence, { submissionId: 'x', uploaded: [] })).toBe(true);
    // The outcome then completes the delivery with the progress saved mid-attempt.
    await store.recordAttempt({
      id: 'm-1',
      fence: first.fence,
      attempt: { worker: 'w', startedAt: at, durationMs: 1, outcome: 'delivered' },
      transition: {
        state: 'delivered',
        attempts: 1,
        nextAttemptAt: null,
        adapterState: { submissionId: 'x', submitted: true },
      },
      now: at,
    });
    expect(await store.listPollable({ destinationIds: ['fit'], limit: 10 })).toEqual([
      { id: 'm-1', submissionId: 's-poll', destinationId: 'fit', adapterState: { submissionId: 'x', submitted: true } },
    ]);
    expect(await store.listPollable({ destinationIds: ['other'], limit: 10 })).toEqual([]);
    await store.savePolledState('m-1', { submissionId: 'x', submitted: true, eventsRead: 3 });
    expect((await store.listPollable({ destinationIds: ['fit'], limit: 10 }))[0]?.adapterState).toEqual({
      submissionId: 'x',
      submitted: true,
      eventsRead: 3,
    });
    // m-2 is still pending: a poll's write cannot touch an attempt's state (seen by the next claim after the lease).
    await store.savePolledState('m-2', { eventsRead: 9 });
    const [again] = await store.claimDeliveries({
      owner: 'w2',
      now: '2026-11-25T10:11:00.000Z',
      leaseUntil: '2026-11-25T10:20:00.000Z',
      limit: 1,
      excludeDestinations: [],
    });
    expect(again?.id).toBe('m-2');
    expect(again?.adapterState ?? null).toBeNull();
  });

  it('lists a mailbox oldest first, stably paged across fetches, whatever the message ids', async () => {
    const { store } = await freshStore();
    // Message ids against the time order: the oldest has the greatest id.
    const cases = [
      ['s-1', 'm-c', '2026-11-25T10:00:00.000Z'],
      ['s-2', 'm-a', '2026-11-25T10:02:00.000Z'],
      ['s-3', 'm-b', '2026-11-25T10:01:00.000Z'],
      ['s-4', 'm-d', '2026-11-25T10:01:00.000Z'],
    ] as const;
    for (const [submissionId, messageId, receivedAt] of cases) {
      await store.acceptSubmission({
        submission: testSubmission(submissionId, { receivedAt }),
        deliveries: [{ id: messageId, destinationId: 'box', state: 'pending' }],
        event: { ...event, at: receivedAt },
      });
    }
    const at = '2026-11-25T10:05:00.000Z';
    for (const claim of await store.claimDeliveries({
      owner: 'w',
      now: at,
      leaseUntil: '2026-11-25T10:10:00.000Z',
      limit: 10,
      excludeDestinations: [],
    })) {
      const transition = {
        state: 'pending' as const,
        attempts: 1,
        nextAttemptAt: '2026-12-09T10:05:00.000Z',
        adapterState: { pickupUntil: '2026-12-09T10:05:00.000Z' },
      };
      await store.recordAttempt({
        id: claim.id,
        fence: claim.fence,
        attempt: { worker: 'w', startedAt: at, durationMs: 1, outcome: 'awaiting-pickup' },
        transition,
        now: at,
      });
    }
    const first = await store.listMailbox('box', undefined, 2);
    expect(first.map((m) => [m.messageId, m.createdAt])).toEqual([
      ['m-c', '2026-11-25T10:00:00.000Z'],
      ['m-b', '2026-11-25T10:01:00.000Z'],
    ]);
    // Fetching a listed message changes its state and update time, not its place in the list.
    expect(await store.recordMailboxFetch('box', 'm-c', '2026-11-25T10:06:00.000Z')).toBe(true);
    expect((await store.listMailbox('box', 'm-b', 2)).map((m) => m.messageId)).toEqual(['m-d', 'm-a']);
    expect((await store.listMailbox('box', undefined, 10)).map((m) => [m.messageId, m.state])).toEqual([
      ['m-c', 'delivered'],
      ['m-b', 'pending'],
      ['m-d', 'pending'],
      ['m-a', 'pending'],
    ]);
    expect(await store.listMailbox('box', 'm-a', 10)).toEqual([]);
  });

  it('numbers audit entries and pages through them newest first', async () => {
    const { store } = await freshStore();
    for (let i = 1; i <= 3; i++)
      await store.appendAudit({ at: event.at, actor: 'op', action: 'routing.change', detail: { i } });
    const page = await store.listAudit(2);
    expect(page.map((e) => [e.action, e.detail])).toEqual([
      ['routing.change', { i: 3 }],
      ['routing.change', { i: 2 }],
    ]);
    expect((await store.listAudit(10, page[1]!.id)).map((e) => e.detail)).toEqual([{ i: 1 }]);
  });

  it('lists deliveries newest first with their submission and portal reference, and pages on in that order', async () => {
    const { store } = await freshStore();
    // ids in the order of time: sorted by id, the oldest would come first
    const received = ['2026-11-25T08:00:00.000Z', '2026-11-25T09:00:00.000Z', '2026-11-25T10:00:00.000Z'];
    for (const [i, receivedAt] of received.entries()) {
      await store.acceptSubmission({
        submission: testSubmission(`s${i}`, { receivedAt, reference: `AZ-${i}` }),
        deliveries: [{ id: `m-${i}`, destinationId: 'd', state: 'pending' }],
        event: { ...event, at: receivedAt },
      });
    }
    const all = await store.listDeliveries({ limit: 10 });
    expect(all.map((d) => [d.id, d.submissionId, d.reference])).toEqual([
      ['m-2', 's2', 'AZ-2'],
      ['m-1', 's1', 'AZ-1'],
      ['m-0', 's0', 'AZ-0'],
    ]);
    const first = await store.listDeliveries({ limit: 2 });
    expect(first.map((d) => d.id)).toEqual(['m-2', 'm-1']);
    expect((await store.listDeliveries({ limit: 2, after: first[1]!.id })).map((d) => d.id)).toEqual(['m-0']);
  });

  it('hands each due delivery to one of two instances claiming at once', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    for (let i = 0; i < 8; i++) {
      await store.acceptSubmission({
        submission: testSubmission(`s${i}`),
        deliveries: Array.from({ length: 5 }, (_, j) => ({
          id: `s${i}-m${j}`,
          destinationId: `d${j}`,
          state: 'pending' as const,
        })),
        event,
      });
    }
    const claimedBy = new Map<string, string[]>();
    const claimer = async (s: Store, owner: string) => {
      for (let round = 0; round < 40; round++) {
        const batch = await s.claimDeliveries({
          owner,
          now: '2026-11-25T10:00:01.000Z',
          leaseUntil: '2026-11-25T10:05:00.000Z',
          limit: 3,
          excludeDestinations: [],
        });
        if (batch.length === 0) return;
        for (const c of batch) claimedBy.set(c.id, [...(claimedBy.get(c.id) ?? []), owner]);
      }
    };
    await Promise.all([claimer(store, 'a'), claimer(other, 'b'), claimer(store, 'c'), claimer(other, 'd')]);
    expect(claimedBy.size).toBe(40);
    expect([...claimedBy.values()].filter((owners) => owners.length > 1)).toEqual([]);
  });

  it('refuses the outcome of a worker whose lease expired and was claimed again (fencing)', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    await store.acceptSubmission({
      submission: testSubmission('s1'),
      deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }],
      event,
    });
    const [stale] = await store.claimDeliveries({
      owner: 'a',
      now: '2026-11-25T10:00:01.000Z',
      leaseUntil: '2026-11-25T10:00:02.000Z',
      limit: 1,
      excludeDestinations: [],
    });
    expect(
      await other.claimDeliveries({
        owner: 'b',
        now: '2026-11-25T10:00:01.500Z',
        leaseUntil: '2026-11-25T10:01:00.000Z',
        limit: 1,
        excludeDestinations: [],
      }),
    ).toEqual([]);
    const [fresh] = await other.claimDeliveries({
      owner: 'b',
      now: '2026-11-25T10:00:03.000Z',
      leaseUntil: '2026-11-25T10:01:00.000Z',
      limit: 1,
      excludeDestinations: [],
    });
    expect(fresh?.fence).toBe(stale!.fence + 1);
    expect(await store.renewLease('m1', stale!.fence, '2026-11-25T10:09:00.000Z')).toBe(false);
    const outcome = (worker: string, fence: number) => ({
      id: 'm1',
      fence,
      attempt: { worker, startedAt: '2026-11-25T10:00:03.000Z', durationMs: 5, outcome: 'delivered' as const },
      transition: { state: 'delivered' as const, attempts: 1, nextAttemptAt: null },
      now: '2026-11-25T10:00:04.000Z',
    });
    expect(await store.recordAttempt(outcome('a', stale!.fence))).toBe(false);
    expect(await other.recordAttempt(outcome('b', fresh!.fence))).toBe(true);
    expect((await store.listAttempts('m1')).map((a) => [a.worker, a.fence])).toEqual([['b', fresh!.fence]]);
  });

  it("gives each delivery's latest failed attempt (code and start), none once its latest attempt succeeded", async () => {
    const { store } = await freshStore();
    await store.acceptSubmission({
      submission: testSubmission('s-err'),
      deliveries: [
        { id: 'e-1', destinationId: 'd', state: 'pending' },
        { id: 'e-2', destinationId: 'd', state: 'pending' },
        { id: 'e-3', destinationId: 'd', state: 'pending' },
      ],
      event,
    });
    const attempt = async (id: string, at: string, outcome: 'retry' | 'delivered', errorClass?: string) => {
      const claims = await store.claimDeliveries({
        owner: 'w',
        now: at,
        leaseUntil: '2026-11-25T12:00:00.000Z',
        limit: 3,
        excludeDestinations: [],
      });
      const claim = claims.find((c) => c.id === id)!;
      for (const other of claims.filter((c) => c.id !== id)) await store.releaseLease(other.id, other.fence, at);
      await store.recordAttempt({
        id,
        fence: claim.fence,
        now: at,
        attempt: {
          worker: 'w',
          startedAt: at,
          durationMs: 1,
          outcome,
          errorClass,
          httpStatus: errorClass === 'http-503' ? 503 : undefined,
        },
        transition:
          outcome === 'retry'
            ? { state: 'pending', attempts: claim.attempts + 1, nextAttemptAt: at, lastError: errorClass }
            : { state: 'delivered', attempts: claim.attempts + 1, nextAttemptAt: null },
      });
    };
    await attempt('e-1', '2026-11-25T10:00:01.000Z', 'retry', 'ECONNREFUSED');
    await attempt('e-1', '2026-11-25T10:00:02.000Z', 'retry', 'http-503');
    await attempt('e-2', '2026-11-25T10:00:03.000Z', 'retry', 'timeout');
    await attempt('e-2', '2026-11-25T10:00:04.000Z', 'delivered');
    const errors = await store.lastAttemptErrors(['e-1', 'e-2', 'e-3']);
    expect(Object.fromEntries(errors)).toEqual({ 'e-1': { code: 'http-503', at: '2026-11-25T10:00:02.000Z' } });
    expect((await store.lastAttemptErrors([])).size).toBe(0);
  });

  it("gives each delivery's persisted adapter state back as it was saved, for the adapter to read its ids from", async () => {
    const { store } = await freshStore();
    await store.acceptSubmission({
      submission: testSubmission('s-states'),
      deliveries: [
        { id: 'st-1', destinationId: 'fit', state: 'pending' },
        { id: 'st-2', destinationId: 'file', state: 'pending' },
      ],
      event,
    });
    const claims = await store.claimDeliveries({
      owner: 'w',
      now: '2026-11-25T10:00:01.000Z',
      leaseUntil: '2026-11-25T12:00:00.000Z',
      limit: 2,
      excludeDestinations: [],
    });
    const claim = claims.find((c) => c.id === 'st-1')!;
    const state = { submissionId: '7f4c1a52-3f0e-4b8e-9d38-0c3f2a1b6e01', uploaded: ['a'], submitted: false };
    expect(await store.saveAdapterState('st-1', claim.fence, state)).toBe(true);
    const states = await store.adapterStates(['st-1', 'st-2', 'unknown']);
    expect(Object.fromEntries(states)).toEqual({ 'st-1': state });
    expect((await store.adapterStates([])).size).toBe(0);
  });

  it('keeps one unforked event chain when two instances record outcomes of one submission at once', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    const ids = Array.from({ length: 6 }, (_, j) => `m${j}`);
    await store.acceptSubmission({
      submission: testSubmission('s1'),
      deliveries: ids.map((id) => ({ id, destinationId: `d-${id}`, state: 'pending' as const })),
      event,
    });
    const claimed = await store.claimDeliveries({
      owner: 'w',
      now: '2026-11-25T10:00:01.000Z',
      leaseUntil: '2026-11-25T10:05:00.000Z',
      limit: 10,
      excludeDestinations: [],
    });
    expect(claimed).toHaveLength(6);
    const results = await Promise.all(
      claimed.map((c, i) =>
        (i % 2 === 0 ? store : other).recordAttempt({
          id: c.id,
          fence: c.fence,
          attempt: { worker: 'w', startedAt: '2026-11-25T10:00:01.000Z', durationMs: 3, outcome: 'delivered' },
          transition: { state: 'delivered', attempts: 1, nextAttemptAt: null },
          now: '2026-11-25T10:00:02.000Z',
        }),
      ),
    );
    expect(results).toEqual(ids.map(() => true));
    const events = await store.listEvents('s1');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(verifyChain('s1', events)).toEqual({ ok: true });
    // the status was derived from every delivery, whichever transaction came last
    expect((await other.getSubmission('s1'))?.status).toBe('delivered');
    expect(events.filter((e) => e.data.status === 'delivered')).toHaveLength(1);
  });

  it('lets one of two concurrent requests with one idempotency key create the submission', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    const idempotency = (contentHmac: string) => ({ key: 'k1', contentHmac, expiresAt: '2026-11-26T10:00:00.000Z' });
    const results = await Promise.all([
      store.acceptSubmission({
        submission: testSubmission('s1'),
        deliveries: [{ id: 'm1', destinationId: 'd', state: 'pending' }],
        event,
        idempotency: idempotency('c1'),
      }),
      other.acceptSubmission({
        submission: testSubmission('s2'),
        deliveries: [{ id: 'm2', destinationId: 'd', state: 'pending' }],
        event,
        idempotency: idempotency('c2'),
      }),
    ]);
    const created = results.findIndex((r) => r.kind === 'created');
    expect(created).toBeGreaterThanOrEqual(0);
    expect(results[1 - created]).toEqual({
      kind: 'existing',
      submissionId: `s${created + 1}`,
      contentHmac: `c${created + 1}`,
    });
    expect(await store.getSubmission(`s${2 - created}`)).toBeUndefined();
  });

  it('lets two instances starting together seed portals and register keys once', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    const portals = [
      { id: 'amt24', name: 'Amt24', tokens: [{ hash: 'sha256:' + 'a'.repeat(64) }], services: ['*'], regions: ['14'] },
    ];
    const keys = [
      { kid: 'sig-1', purpose: 'signing' as const },
      { kid: 'sig-2', purpose: 'signing' as const },
      { kid: 'esc-1', purpose: 'escrow' as const },
    ];
    const seeded = await Promise.all([store.seedPortals(portals, event.at), other.seedPortals(portals, event.at)]);
    await Promise.all([store.registerKeys(keys, event.at), other.registerKeys(keys, event.at)]);
    expect(seeded.reduce((a, b) => a + b)).toBe(1);
    expect(await other.listPortals()).toEqual(portals);
    expect((await store.listKeyStates()).map((k) => [k.kid, k.state])).toEqual([
      ['esc-1', 'active'],
      ['sig-1', 'active'],
      ['sig-2', 'published'],
    ]);
  });

  it('keeps one active signing key when two instances rotate at once', async () => {
    const { store, peer } = await freshStore();
    const other = await peer();
    await store.registerKeys(
      [
        { kid: 'sig-1', purpose: 'signing' },
        { kid: 'sig-2', purpose: 'signing' },
        { kid: 'sig-3', purpose: 'signing' },
      ],
      event.at,
    );
    for (let round = 0; round < 5; round++) {
      expect(
        await Promise.all([store.activateKey('sig-2', 'a', event.at), other.activateKey('sig-3', 'b', event.at)]),
      ).toEqual([true, true]);
      expect((await store.listKeyStates()).filter((k) => k.state === 'active')).toHaveLength(1);
    }
  });
});
