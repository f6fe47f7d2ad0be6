import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInFailureAudit } from '../../src/http/sign-in-failures.js';
import { createLogger } from '../../src/lib/logger.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../helpers/outbox.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-sign-in-'));
let store: Store;
beforeAll(async () => {
  store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signInFailureAudit', () => {
  it('records at most 30 failed sign-ins a minute, of every API, and counts the rest in the next entry', async () => {
    let now = new Date('2026-11-25T10:00:00.000Z');
    const record = signInFailureAudit(store, () => now, createLogger({ level: 'silent' }));
    // Many clients (one address each): only the global cap stops them.
    for (let i = 0; i < 45; i++)
      record({
        surface: i % 2 ? 'admin' : 'portal',
        reason: 'unknown-token',
        client: `client-${i}`,
        path: '/overview',
      });
    const failures = async () =>
      (await store.listAudit(100)).filter((e) => e.action === 'admin.sign-in-failed' || e.action === 'sign-in.failed');
    await eventually(failures, (entries) => entries.length === 30);
    now = new Date('2026-11-25T10:01:00.000Z');
    record({ surface: 'admin', reason: 'missing-token', client: 'client-x', path: '/keys' });
    const [latest] = await eventually(failures, (entries) => entries.length === 31);
    expect(latest).toMatchObject({
      action: 'admin.sign-in-failed',
      actor: 'unknown',
      detail: { reason: 'missing-token', path: '/keys', client: 'client-x', notRecordedBefore: 15 },
    });
    // the oldest portal entry (the audit lists newest first)
    const portal = (await failures()).filter((e) => e.action === 'sign-in.failed').at(-1);
    // other APIs' paths carry ids (mailbox, submission): not kept
    expect(portal?.detail).toEqual({ surface: 'portal', reason: 'unknown-token', client: 'client-0' });
  });
});

describe('the path a failed admin sign-in leaves in the audit log', () => {
  it('is the route pattern only: no text an unauthenticated client chose (issue 19)', async () => {
    const record = signInFailureAudit(
      store,
      () => new Date('2026-11-25T11:00:00.000Z'),
      createLogger({ level: 'silent' }),
    );
    const sent = [
      '/keys/dresden-2026/activate',
      '/deliveries/3f0c8a52-7d1e-4b8e-9c1a-2f6d5e4b3a21',
      '/Bitte-rufen-Sie-0800-123456-an',
      '/overview/<script>alert(1)</script>',
      '/routing/versions/7/' + 'x/'.repeat(200),
    ];
    for (const [i, path] of sent.entries())
      record({ surface: 'admin', reason: 'unknown-token', client: `pattern-${i}`, path });
    const entries = await eventually(
      async () =>
        (await store.listAudit(200)).filter((e) =>
          String((e.detail as { client?: unknown }).client).startsWith('pattern-'),
        ),
      (found) => found.length === sent.length,
    );
    const paths = Object.fromEntries(
      entries.map((e) => [(e.detail as { client: string }).client, (e.detail as { path: string }).path]),
    );
    expect(paths).toEqual({
      'pattern-0': '/keys/:id/activate',
      'pattern-1': '/deliveries/:id',
      'pattern-2': '/:id',
      'pattern-3': '/overview/:id/:id',
      'pattern-4': '/routing/versions/:id/:id/:id/…',
    });
  });
});
