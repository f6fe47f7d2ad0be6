import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-store-cli-'));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function opened(store: Store): Promise<Store> {
  cleanups.push(() => store.close());
  await store.migrate();
  return store;
}

/** A small SQLite installation: one submission with a delivered and a pending delivery, and an audit entry. */
async function smallInstallation(file: string): Promise<void> {
  const store = openSqliteStore(file);
  await store.migrate();
  const at = '2026-11-25T10:00:00.000Z';
  await store.seedPortals(
    [{ id: 'amt24', name: 'Amt24', tokens: [{ hash: 'sha256:' + 'a'.repeat(64) }], services: ['*'], regions: ['14'] }],
    at,
  );
  await store.appendRoutingVersion(0, {
    document: { destinations: [], rules: [] },
    author: 'config',
    note: 'seed',
    createdAt: at,
  });
  await store.acceptSubmission({
    submission: {
      id: 's1',
      portalId: 'amt24',
      serviceKey: '99050012104000',
      regionKey: '146120000000',
      status: 'pending',
      test: false,
      dataHmac: 'h',
      attachments: [],
      receivedAt: at,
    },
    deliveries: [
      { id: 'm-done', destinationId: 'a', state: 'pending' },
      { id: 'm-pending', destinationId: 'b', state: 'pending' },
    ],
    messages: [
      { deliveryId: 'm-done', contentType: 'application/json', body: '{"sealed":1}' },
      { deliveryId: 'm-pending', contentType: 'application/json', body: '{"sealed":2}' },
    ],
    escrow: { escrowKid: 'esc-1', body: 'jwe' },
    event: { at, type: 'received', data: { status: 'pending' } },
    idempotency: { key: 'k1', contentHmac: 'c1', expiresAt: '2026-11-26T10:00:00.000Z' },
  });
  const [claim] = await store.claimDeliveries({
    owner: 'w',
    now: at,
    leaseUntil: at,
    limit: 1,
    excludeDestinations: ['b'],
  });
  await store.recordAttempt({
    id: claim!.id,
    fence: claim!.fence,
    attempt: { worker: 'w', startedAt: at, durationMs: 3, outcome: 'delivered' },
    transition: { state: 'delivered', attempts: 1, nextAttemptAt: null },
    now: at,
  });
  await store.appendAudit({ at, actor: 'op', action: 'keys.rotate', detail: { kid: 'sig-2' } });
  await store.close();
}

describe('amtsbote store', () => {
  it('migrate: applies the migrations to a fresh PostgreSQL database once', async () => {
    const db = await database();
    const env = { AMTSBOTE_DATABASE_URL: db.url, AMTSBOTE_DATA_DIR: tempDir() };
    const first = runCli(['store', 'migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(
      /the postgres store is at the latest schema; applied 0001-initial, .*0007-portal-identity/,
    );
    const second = runCli(['store', 'migrate'], env);
    expect(second.stdout).toContain('the postgres store is at the latest schema (nothing to apply)');
  });

  it('backup: an online copy of a SQLite store; PostgreSQL points to pg_dump', async () => {
    const dataDir = tempDir();
    await smallInstallation(join(dataDir, 'amtsbote.sqlite'));
    const backup = join(tempDir(), 'backup.sqlite');
    const result = runCli(['store', 'backup', backup], { AMTSBOTE_DATA_DIR: dataDir });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`wrote a backup of the sqlite store to ${backup}`);
    const copy = await opened(openSqliteStore(backup));
    expect((await copy.getSubmission('s1'))?.deliveries.map((d) => d.state)).toEqual(['delivered', 'pending']);

    const db = await database();
    const refused = runCli(['store', 'backup', backup], { AMTSBOTE_DATABASE_URL: db.url, AMTSBOTE_DATA_DIR: dataDir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('pg_dump');
  });

  it('copy: moves a SQLite installation to PostgreSQL with its pending deliveries, and refuses a non-empty target', async () => {
    const dir = tempDir();
    await smallInstallation(join(dir, 'amtsbote.sqlite'));
    const db = await database();
    const result = runCli(['store', 'copy', '--from', `sqlite:${join(dir, 'amtsbote.sqlite')}`, '--to', db.url]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /copied \d+ rows: portals 1, portal_reply_keys 0, routing_versions 1, gateway_key_states 0, submissions 1, inbound_submissions 0, deliveries 2, sealed_messages 2, delivery_attempts 1, events 2, idempotency_keys 1, escrow_copies 1, receipts 0, replies 0, audit_log 1/,
    );

    const moved = await opened(openPostgresStore(db.url));
    const record = await moved.getSubmission('s1');
    expect(record?.deliveries.map((d) => [d.id, d.state])).toEqual([
      ['m-done', 'delivered'],
      ['m-pending', 'pending'],
    ]);
    expect((await moved.listEvents('s1')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await moved.findIdempotencyKey('amt24', 'k1', '2026-11-25T12:00:00.000Z')).toEqual({
      submissionId: 's1',
      contentHmac: 'c1',
    });
    // the pending delivery goes on from PostgreSQL, and new audit entries continue after the copied ones
    const [claim] = await moved.claimDeliveries({
      owner: 'pg',
      now: '2026-11-25T11:00:00.000Z',
      leaseUntil: '2026-11-25T11:05:00.000Z',
      limit: 5,
      excludeDestinations: [],
    });
    expect(claim?.id).toBe('m-pending');
    expect((await moved.getSealedMessage('m-pending'))?.body).toBe('{"sealed":2}');
    await moved.appendAudit({
      at: '2026-11-25T11:00:00.000Z',
      actor: 'op',
      action: 'routing.change',
      detail: { note: 'after the copy' },
    });
    expect((await moved.listAudit(5)).map((e) => [e.id, e.action])).toEqual([
      [2, 'routing.change'],
      [1, 'keys.rotate'],
    ]);

    const again = runCli(['store', 'copy', '--from', `sqlite:${join(dir, 'amtsbote.sqlite')}`, '--to', db.url]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('the target store is not empty (table portals has rows)');
  });
});
