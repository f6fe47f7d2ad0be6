import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { groupAccepts } from '../../src/store/sqlite-grouped-accept.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { withStatementCache } from '../../src/store/sqlite-statement-cache.js';
import type { AcceptInput, AcceptResult } from '../../src/store/types.js';
import { testSubmission } from '../helpers/submissions.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const receivedAt = '2026-11-25T10:00:00.000Z';

function input(id: string, over: Partial<AcceptInput> = {}): AcceptInput {
  return {
    submission: testSubmission(id, { attachments: [], receivedAt }),
    deliveries: [{ id: `m-${id}`, destinationId: 'dresden-gewerbeamt', state: 'pending' }],
    messages: [{ deliveryId: `m-${id}`, contentType: 'application/json', body: `{"sealed":"${id}"}` }],
    event: { at: receivedAt, type: 'received', data: { status: 'pending' } },
    ...over,
  };
}

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
 * A migrated SQLite file behind kysely, with the COMMITs counted (and the next one failed on request), and a
 * second, read-only connection that sees only what has been committed.
 */
async function watchedDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-grouped-'));
  dirs.push(dir);
  const file = join(dir, 'amtsbote.sqlite');
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const cached = withStatementCache(database);
  const watch = { commits: 0, failNextCommit: false };
  const watched: SqliteDatabase = {
    close: () => {
      cached.close();
    },
    prepare: (sql) => {
      if (sql !== 'commit') return cached.prepare(sql);
      watch.commits++;
      if (!watch.failNextCommit) return cached.prepare(sql);
      watch.failNextCommit = false;
      return failingCommit;
    },
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: watched }) });
  await migrateToLatest(db, 'sqlite');
  const probe = new BetterSqlite3(file, { readonly: true });
  closers.push(async () => {
    probe.close();
    await db.destroy();
  });
  watch.commits = 0;
  /** Committed rows of `table` for a submission, as another connection sees them. */
  const committed = (
    table: 'submissions' | 'deliveries' | 'sealed_messages' | 'events',
    submissionId: string,
  ): number => {
    const where =
      table === 'submissions'
        ? 'id = ?'
        : table === 'sealed_messages'
          ? 'delivery_id in (select id from deliveries where submission_id = ?)'
          : 'submission_id = ?';
    return (probe.prepare(`select count(*) as n from ${table} where ${where}`).get(submissionId) as { n: number }).n;
  };
  return { db, watch, committed };
}

describe('grouped accepts on SQLite', () => {
  it('commits the accepts of one turn in one transaction, each caller with its own result and its rows committed when it resolves', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db);
    const ids = ['s1', 's2', 's3', 's4', 's5'];
    // What each caller can see at the moment its promise resolves: the commit count and its committed rows.
    const seen = await Promise.all(
      ids.map((id) =>
        grouped
          .accept(input(id))
          .then((result) => ({ result, commits: watch.commits, rows: committed('submissions', id) })),
      ),
    );
    expect(seen).toEqual(ids.map(() => ({ result: { kind: 'created' }, commits: 1, rows: 1 })));
    expect(watch.commits).toBe(1);
    for (const id of ids) {
      expect([committed('deliveries', id), committed('sealed_messages', id), committed('events', id)]).toEqual([
        1, 1, 1,
      ]);
    }
  });

  it('rolls back only the failing accept of a batch and rejects only its caller', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db);
    const settled = await Promise.allSettled([
      grouped.accept(input('s1')),
      // the same delivery (message) id as s1: the deliveries insert fails after the submission row was written
      grouped.accept(
        input('s2', {
          deliveries: [{ id: 'm-s1', destinationId: 'dresden-gewerbeamt', state: 'pending' }],
          messages: [],
        }),
      ),
      grouped.accept(input('s3')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
    expect(watch.commits).toBe(1);
    expect([committed('submissions', 's1'), committed('submissions', 's3')]).toEqual([1, 1]);
    // nothing of s2 survives: not its submission row, written before the failing insert, nor an event
    expect([committed('submissions', 's2'), committed('events', 's2')]).toEqual([0, 0]);
  });

  it('rolls back an accept that fails alone in its batch, and commits the next', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db);
    expect(await grouped.accept(input('s1'))).toEqual({ kind: 'created' });
    await expect(
      grouped.accept(
        input('s2', {
          deliveries: [{ id: 'm-s1', destinationId: 'dresden-gewerbeamt', state: 'pending' }],
          messages: [],
        }),
      ),
    ).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    expect(await grouped.accept(input('s3'))).toEqual({ kind: 'created' });
    expect(watch.commits).toBe(2);
    expect(['s1', 's2', 's3'].map((id) => committed('submissions', id))).toEqual([1, 0, 1]);
    expect(committed('events', 's2')).toBe(0);
  });

  it('lets the first of two accepts with one idempotency key in a batch create, and answers the second "existing"', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db);
    const idempotency = { key: 'k1', contentHmac: 'c1', expiresAt: '2026-11-26T10:00:00.000Z' };
    const results = await Promise.all([
      grouped.accept(input('s1', { idempotency })),
      grouped.accept(input('s2', { idempotency: { ...idempotency, contentHmac: 'c2' } })),
    ]);
    expect(results).toEqual<AcceptResult[]>([
      { kind: 'created' },
      { kind: 'existing', submissionId: 's1', contentHmac: 'c1' },
    ]);
    expect(watch.commits).toBe(1);
    expect([committed('submissions', 's1'), committed('submissions', 's2')]).toEqual([1, 0]);
  });

  it('rejects every caller of a batch whose COMMIT fails, keeps none of it, and commits the next batch', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db);
    watch.failNextCommit = true;
    const settled = await Promise.allSettled(['s1', 's2', 's3'].map((id) => grouped.accept(input(id))));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(settled[0]).toMatchObject({ reason: { message: 'disk I/O error (simulated)' } });
    expect(['s1', 's2', 's3'].map((id) => committed('submissions', id))).toEqual([0, 0, 0]);
    // the transaction was rolled back and the connection freed: the same ids are accepted afterwards
    expect(await Promise.all(['s1', 's2'].map((id) => grouped.accept(input(id))))).toEqual([
      { kind: 'created' },
      { kind: 'created' },
    ]);
    expect(watch.commits).toBe(2);
    expect(committed('submissions', 's1')).toBe(1);
  });

  it('bounds a batch: more accepts than the bound in one turn take several commits', async () => {
    const { db, watch, committed } = await watchedDatabase();
    const grouped = groupAccepts(db, 3);
    const ids = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const results = await Promise.all(ids.map((id) => grouped.accept(input(id))));
    expect(results.every((r) => r.kind === 'created')).toBe(true);
    expect(watch.commits).toBe(3);
    expect(ids.map((id) => committed('submissions', id))).toEqual(ids.map(() => 1));
  });

  it('commits what is queued before the store closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-grouped-'));
    dirs.push(dir);
    const file = join(dir, 'amtsbote.sqlite');
    const store = openSqliteStore(file);
    await store.migrate();
    const pending = ['s1', 's2'].map((id) => store.acceptSubmission(input(id)));
    await store.close();
    expect(await Promise.all(pending)).toEqual([{ kind: 'created' }, { kind: 'created' }]);
    const reopened = openSqliteStore(file);
    closers.push(() => reopened.close());
    expect((await reopened.getSubmission('s2'))?.deliveries.map((d) => d.id)).toEqual(['m-s2']);
  });
});
