import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/lib/token-hash.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { portalFromRow } from '../../src/store/sql/portal-row.js';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';
import { openSqliteDatabase } from '../../src/store/sqlite.js';
import { createTestDatabase } from '../helpers/postgres.js';

/**
 * Migration 0011: the first store kept a portal's tokens as a list of hash strings; the current code reads
 * `{hash, notAfter?}` objects. Converted on both stores; rows in the new form are left as they are.
 * (test/gateway/upgrade-from-release.test.ts opens a whole data dir of that release.)
 */
const oldHash = 'sha256:6b609270ef0d90830e1b5356d87334021f4726d7cc8cb7fc2a0720ead93b86de'; // "amt24-demo-token"
const rotated = [{ hash: oldHash, notAfter: '2027-01-01T00:00:00.000Z' }, { hash: 'sha256:' + 'a'.repeat(64) }];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(kind: 'sqlite' | 'postgres'): Promise<Kysely<Database>> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-m0011-'));
    const { db } = openSqliteDatabase(join(dir, 'amtsbote.sqlite'));
    cleanups.push(async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    return db;
  }
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.url, { poolSize: 2 });
  cleanups.push(async () => {
    await db.destroy();
    await database.drop();
  });
  return db;
}

describe.each(['sqlite', 'postgres'] as const)('migration 0011 on %s', (kind) => {
  it('turns token hash strings into token objects the portal sign-in matches, and leaves rotated tokens as they are', async () => {
    const db = await open(kind);
    const { error } = await new Migrator({ db, provider: migrationProvider(kind) }).migrateTo(
      '0010-minimal-payment-and-hashed-idempotency-keys',
    );
    if (error) throw error as Error;
    const at = '2026-11-25T10:00:00.000Z';
    const portal = {
      name: 'Amt24',
      services: '["*"]',
      regions: '["14"]',
      created_at: at,
      updated_at: at,
      callback: null,
      identity: null,
    };
    await db
      .insertInto('portals')
      .values([
        { ...portal, id: 'amt24', token_hashes: JSON.stringify([oldHash]) },
        { ...portal, id: 'rotated', token_hashes: JSON.stringify(rotated) },
      ])
      .execute();

    expect(await migrateToLatest(db, kind)).toContain('0011-portal-token-objects');
    const rows = await db.selectFrom('portals').selectAll().orderBy('id').execute();
    const [amt24, kept] = rows.map(portalFromRow);
    expect(amt24?.tokens).toEqual([{ hash: oldHash }]);
    expect(
      tokenMatches(
        'amt24-demo-token',
        amt24!.tokens.map((t) => t.hash),
      ),
    ).toBe(true);
    expect(kept?.tokens).toEqual(rotated);
  });
});
