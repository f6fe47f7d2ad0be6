import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { acceptSubmission } from '../../src/store/sql/accept-submission.js';
import { claimDeliveries } from '../../src/store/sql/claim-deliveries.js';
import { type AttemptOutcome, writeAttempt } from '../../src/store/sql/record-attempt.js';
import { type GroupCommit, groupCommits } from '../../src/store/sqlite-group-commit.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { testSubmission } from '../helpers/submissions.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const at = '2026-11-25T10:00:00.000Z';
const later = '2026-11-25T10:00:05.000Z';

/** A statement standing in for COMMIT when the disk fails: SQLite keeps the transaction open, as after SQLITE_IOERR. */
const failingCommit: SqliteStatement = {
  reader: false,
  all: () => {
    throw new Error('disk I/O error (simulated)');
  },
  run: () => {
    throw new Error('disk I/O error (simulated)');
  },
  iterate: () => {
    throw new Error('disk I/O error (simulated)');
  },
};

/**
 * A migrated SQLite file behind kysely with one pending delivery per id (one submission each), the COMMITs
 * counted (the next one failed on request), and a read-only second connection that sees only what is committed.
 */
async function outbox(ids: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-group-commit-'));
  dirs.push(dir);
  const file = join(dir, 'amtsbote.sqlite');
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const watch = { commits: 0, failNextCommit: false };
  const watched: SqliteDatabase = {
    close: () => database.close(),
    prepare: (sql) => {
      if (sql !== 'commit') return database.prepare(sql);
      watch.commits++;
      if (!watch.failNextCommit) return database.prepare(sql);
      watch.failNextCommit = false;
      return failingCommit;
    },
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: watched }) });
  await migrateToLatest(db, 'sqlite');
  for (const id of ids) {
    await acceptSubmission(db, {
      submission: testSubmission(`s-${id}`, { attachments: [], receivedAt: at }),
      deliveries: [{ id, destinationId: 'dresden-gewerbeamt', state: 'pending' }],
      messages: [{ deliveryId: id, contentType: 'application/json', body: `{"sealed":"${id}"}` }],
      event: { at, type: 'received', data: { status: 'pending' } },
    });
  }
  const probe = new BetterSqlite3(file, { readonly: true });
  closers.push(async () => {
    probe.close();
    await db.destroy();
  });
  const claim = (owner: string, now: string, limit = ids.length) =>
    claimDeliveries(db, { owner, now, leaseUntil: later, limit, excludeDestinations: [] });
  /** The committed state of a delivery, its attempts (worker names) and the types of its submission's events. */
  const committed = (id: string) => ({
    state: (probe.prepare('select state from deliveries where id = ?').get(id) as { state: string }).state,
    attempts: (
      probe
        .prepare('select worker from delivery_attempts where delivery_id = ? order by started_at, worker')
        .all(id) as Array<{
        worker: string;
      }>
    ).map((r) => r.worker),
    events: (
      probe.prepare('select type from events where submission_id = ? order by seq').all(`s-${id}`) as Array<{
        type: string;
      }>
    ).map((r) => r.type),
  });
  /** The committed lease holder of a delivery, as another connection sees it. */
  const leaseOwner = (id: string) =>
    (probe.prepare('select lease_owner from deliveries where id = ?').get(id) as { lease_owner: string | null })
      .lease_owner;
  watch.commits = 0;
  return { db, watch, claim, committed, leaseOwner };
}

/** An outcome written through a group, as sqlite.ts's recordAttempt does. */
function record(grouped: GroupCommit, outcome: AttemptOutcome): Promise<boolean> {
  return grouped.run((trx) => writeAttempt(trx, outcome));
}

function delivered(id: string, fence: number, worker = 'w'): AttemptOutcome {
  return {
    id,
    fence,
    attempt: { worker, startedAt: at, durationMs: 3, outcome: 'delivered', httpStatus: 204 },
    transition: { state: 'delivered', attempts: 1, nextAttemptAt: null },
    now: at,
  };
}

describe('grouped delivery outcomes on SQLite', () => {
  it('records the outcomes of one turn in one commit, each caller answered once its rows are committed', async () => {
    const ids = ['m1', 'm2', 'm3', 'm4'];
    const { db, watch, claim, committed } = await outbox(ids);
    const claimed = await claim('w', at);
    watch.commits = 0;
    const grouped = groupCommits(db, { savepoint: 'outbox' });
    const seen = await Promise.all(
      claimed.map((c) =>
        record(grouped, delivered(c.id, c.fence)).then((recorded) => ({
          recorded,
          commits: watch.commits,
          state: committed(c.id).state,
        })),
      ),
    );
    expect(seen).toEqual(ids.map(() => ({ recorded: true, commits: 1, state: 'delivered' })));
    expect(watch.commits).toBe(1);
    for (const id of ids)
      expect(committed(id)).toEqual({ state: 'delivered', attempts: ['w'], events: ['received', 'delivery'] });
  });

  it('shares one commit between a claim and the outcomes of the same turn; the claim resolves once it is durable', async () => {
    const { db, watch, claim, leaseOwner } = await outbox(['m1', 'm2', 'm3']);
    const [first, second] = await claim('w', at, 2);
    watch.commits = 0;
    const grouped = groupCommits(db, { savepoint: 'outbox' });
    const [recorded, claimed] = await Promise.all([
      Promise.all([record(grouped, delivered('m1', first!.fence)), record(grouped, delivered('m2', second!.fence))]),
      grouped
        .run((trx) =>
          claimDeliveries(trx, { owner: 'w', now: at, leaseUntil: later, limit: 5, excludeDestinations: [] }),
        )
        .then((rows) => ({ ids: rows.map((r) => r.id), commits: watch.commits, owner: leaseOwner('m3') })),
    ]);
    expect(recorded).toEqual([true, true]);
    expect(claimed).toEqual({ ids: ['m3'], commits: 1, owner: 'w' });
    expect(watch.commits).toBe(1);
  });

  it('rolls back only a failing outcome of a group, after it wrote its rows, and rejects only its caller', async () => {
    const ids = ['m1', 'm2', 'm3'];
    const { db, watch, claim, committed } = await outbox(ids);
    const claimed = await claim('w', at);
    watch.commits = 0;
    // m2 fails after writeAttempt wrote everything of it: the delivery update, its attempt, its event
    const grouped = groupCommits(db, { savepoint: 'outbox' });
    const settled = await Promise.allSettled(
      claimed.map((c) =>
        grouped.run(async (trx) => {
          const recorded = await writeAttempt(trx, delivered(c.id, c.fence));
          if (c.id === 'm2') throw new Error('fails after writing (simulated)');
          return recorded;
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(watch.commits).toBe(1);
    expect(committed('m1').state).toBe('delivered');
    expect(committed('m3').state).toBe('delivered');
    expect(committed('m2')).toEqual({ state: 'pending', attempts: [], events: ['received'] });
  });

  it('checks the fence of each outcome in a group: a stale one records nothing, the others are recorded', async () => {
    const { db, claim, committed } = await outbox(['m1', 'm2']);
    const [first, second] = await claim('a', at);
    // a's lease on m2 expires and b claims it again: a's fence for m2 is stale now
    await db.updateTable('deliveries').set({ lease_until: at }).where('id', '=', 'm2').execute();
    const [again] = await claim('b', '2026-11-25T10:00:01.000Z');
    expect(again?.id).toBe('m2');
    const grouped = groupCommits(db, { savepoint: 'outbox' });
    const results = await Promise.all([
      record(grouped, delivered('m1', first!.fence, 'a')),
      record(grouped, delivered('m2', second!.fence, 'a')),
      record(grouped, delivered('m2', again!.fence, 'b')),
    ]);
    expect(results).toEqual([true, false, true]);
    expect(committed('m1')).toEqual({ state: 'delivered', attempts: ['a'], events: ['received', 'delivery'] });
    expect(committed('m2')).toEqual({ state: 'delivered', attempts: ['b'], events: ['received', 'delivery'] });
  });

  it('rejects every outcome of a group whose COMMIT fails; the deliveries stay claimable and are recorded later', async () => {
    const ids = ['m1', 'm2', 'm3'];
    const { db, watch, claim, committed } = await outbox(ids);
    const claimed = await claim('w', at);
    const grouped = groupCommits(db, { savepoint: 'outbox' });
    watch.failNextCommit = true;
    const settled = await Promise.allSettled(claimed.map((c) => record(grouped, delivered(c.id, c.fence))));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const id of ids) expect(committed(id)).toEqual({ state: 'pending', attempts: [], events: ['received'] });
    // once the lease is over another worker claims them again (same message ids) and records its outcomes
    const reclaimed = await claim('v', '2026-11-25T10:00:06.000Z');
    expect(reclaimed.map((c) => c.id).sort()).toEqual(ids);
    expect(await Promise.all(reclaimed.map((c) => record(grouped, delivered(c.id, c.fence, 'v'))))).toEqual([
      true,
      true,
      true,
    ]);
    for (const id of ids)
      expect(committed(id)).toEqual({ state: 'delivered', attempts: ['v'], events: ['received', 'delivery'] });
  });

  it('bounds a group: more outcomes than the bound in one turn take several commits', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `m${i}`);
    const { db, watch, claim, committed } = await outbox(ids);
    const claimed = await claim('w', at);
    watch.commits = 0;
    const grouped = groupCommits(db, { savepoint: 'outbox', maxBatch: 3 });
    expect(await Promise.all(claimed.map((c) => record(grouped, delivered(c.id, c.fence))))).toEqual(
      ids.map(() => true),
    );
    expect(watch.commits).toBe(3);
    expect(ids.map((id) => committed(id).state)).toEqual(ids.map(() => 'delivered'));
  });

  it("keeps each submission's event chain intact when several outcomes of one submission share a group", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-group-commit-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
    closers.push(() => store.close());
    await store.migrate();
    const destinations = ['d1', 'd2', 'd3'];
    await store.acceptSubmission({
      submission: testSubmission('s1', { attachments: [], receivedAt: at }),
      deliveries: destinations.map((d) => ({ id: `m-${d}`, destinationId: d, state: 'pending' as const })),
      messages: destinations.map((d) => ({ deliveryId: `m-${d}`, contentType: 'application/json', body: '{}' })),
      event: { at, type: 'received', data: { status: 'pending' } },
    });
    const claimed = await store.claimDeliveries({
      owner: 'w',
      now: at,
      leaseUntil: later,
      limit: 10,
      excludeDestinations: [],
    });
    expect(claimed).toHaveLength(3);
    expect(await Promise.all(claimed.map((c) => store.recordAttempt(delivered(c.id, c.fence))))).toEqual([
      true,
      true,
      true,
    ]);
    const events = await store.listEvents('s1');
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'received'],
      [2, 'delivery'],
      [3, 'delivery'],
      [4, 'delivery'],
    ]);
    // the last of the three moves the submission to delivered, and says so in its event
    expect(events[3]?.data).toMatchObject({ state: 'delivered', status: 'delivered' });
    expect(verifyChain('s1', events)).toMatchObject({ ok: true });
    expect((await store.getSubmission('s1'))?.status).toBe('delivered');
  });
});
