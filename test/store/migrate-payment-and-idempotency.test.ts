import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { keyedHash } from '../../src/lib/keyed-hash.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';
import { openSqliteDatabase } from '../../src/store/sqlite.js';
import { createTestDatabase } from '../helpers/postgres.js';

/**
 * Migration 0010 (issue 19, F8) converts what earlier versions stored in clear: a submission's payment keeps
 * only method and status, and each Idempotency-Key becomes its keyed hash — on SQLite and PostgreSQL alike.
 */
const hash = keyedHash(Buffer.alloc(32, 7));
const fullPayment = {
  method: 'giropay',
  status: 'paid',
  transactionId: 'TX-4711-SECRET',
  transactionReference: 'KASSENZEICHEN-0815',
  amount: 26,
};

interface Opened {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  close: () => Promise<void>;
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const locations = {
  sqlite: (): Promise<() => Opened> => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-m0010-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
    return Promise.resolve(() => {
      const { db } = openSqliteDatabase(join(dir, 'amtsbote.sqlite'));
      return { db, dialect: 'sqlite', close: () => db.destroy() };
    });
  },
  postgres: async (): Promise<() => Opened> => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    return () => {
      const db = openPostgresDatabase(database.url, { poolSize: 2 });
      return { db, dialect: 'postgres', close: () => db.destroy() };
    };
  },
};

/**
 * A store at migration 0008 (what the previous release left) holding one submission with a payment and two idempotency
 * keys.
 */
async function previousRelease(open: () => Opened): Promise<void> {
  const { db, dialect, close } = open();
  try {
    const { error } = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo('0008-rate-buckets');
    if (error) throw error as Error;
    const at = '2026-11-25T10:00:00.000Z';
    const submission = {
      portal_id: 'amt24',
      service_key: '99050012104000',
      region_key: '146120000000',
      status: 'pending',
      reference: null,
      test: 0,
      callback_url: null,
      authentication: null,
      data_hmac: 'hmac-sha512:x',
      attachments: '[]',
      received_at: at,
      updated_at: at,
      routing_version: 1,
    };
    await db
      .insertInto('submissions')
      .values([
        { ...submission, id: 's1', payment: JSON.stringify(fullPayment) },
        { ...submission, id: 's2', payment: null },
      ])
      .execute();
    await db
      .insertInto('idempotency_keys')
      .values([
        {
          portal_id: 'amt24',
          key: 'order-2026-0001',
          content_hmac: 'c1',
          submission_id: 's1',
          created_at: at,
          expires_at: '2026-11-26T10:00:00.000Z',
        },
        {
          portal_id: 'leipzig-portal',
          key: 'order-2026-0001',
          content_hmac: 'c2',
          submission_id: 's2',
          created_at: at,
          expires_at: '2026-11-26T10:00:00.000Z',
        },
      ])
      .execute();
  } finally {
    await close();
  }
}

describe.each(['sqlite', 'postgres'] as const)('migration 0010 on %s', (kind) => {
  it('keeps only method and status of a payment, and replaces each Idempotency-Key by its keyed hash', async () => {
    const open = await locations[kind]();
    await previousRelease(open);
    const { db, dialect, close } = open();
    try {
      expect(await migrateToLatest(db, dialect, { keyedHash: () => hash })).toContain(
        '0010-minimal-payment-and-hashed-idempotency-keys',
      );
      const payments = await db.selectFrom('submissions').select(['id', 'payment']).orderBy('id').execute();
      expect(payments.map((p) => [p.id, p.payment === null ? null : (JSON.parse(p.payment) as unknown)])).toEqual([
        ['s1', { method: 'giropay', status: 'paid' }],
        ['s2', null],
      ]);
      const keys = await db
        .selectFrom('idempotency_keys')
        .select(['portal_id', 'key', 'submission_id'])
        .orderBy('portal_id')
        .execute();
      expect(keys).toEqual([
        { portal_id: 'amt24', key: hash('order-2026-0001'), submission_id: 's1' },
        { portal_id: 'leipzig-portal', key: hash('order-2026-0001'), submission_id: 's2' },
      ]);
    } finally {
      await close();
    }
  });

  it('refuses to convert stored idempotency keys without the gateway secret, naming what to do, and converts nothing', async () => {
    const open = await locations[kind]();
    await previousRelease(open);
    const { db, dialect, close } = open();
    try {
      await expect(migrateToLatest(db, dialect)).rejects.toThrow(/hmacSecret.*amtsbote store migrate/);
      // the configuration's fault, typed as such: the CLI and the start name it, a script can branch on the code
      await expect(migrateToLatest(db, dialect)).rejects.toMatchObject({
        name: 'AmtsboteError',
        code: 'invalid-config',
      });
      // Nothing is half converted: the payment keeps its members until the migration can complete.
      const keys = await db.selectFrom('idempotency_keys').select('key').execute();
      expect(keys.map((k) => k.key)).toEqual(['order-2026-0001', 'order-2026-0001']);
      const payment = await db
        .selectFrom('submissions')
        .select('payment')
        .where('id', '=', 's1')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(payment.payment!)).toEqual(fullPayment);
      // With the secret the same migration then completes.
      expect(await migrateToLatest(db, dialect, { keyedHash: () => hash })).toContain(
        '0010-minimal-payment-and-hashed-idempotency-keys',
      );
      expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((k) => k.key)).toEqual([
        hash('order-2026-0001'),
        hash('order-2026-0001'),
      ]);
    } finally {
      await close();
    }
  });
});
