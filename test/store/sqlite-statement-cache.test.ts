import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/sqlite-statement-cache.js';

describe('the SQLite statement cache', () => {
  it('hands out the same prepared statement for the same SQL, and still answers correctly', () => {
    const database = new BetterSqlite3(':memory:');
    const cached = withStatementCache(database);
    cached.prepare('create table t (n integer)').run([]);
    const insert = cached.prepare('insert into t (n) values (?)');
    expect(cached.prepare('insert into t (n) values (?)')).toBe(insert);
    for (const n of [1, 2, 3]) cached.prepare('insert into t (n) values (?)').run([n]);
    expect(cached.prepare('select sum(n) as s from t').all([])).toEqual([{ s: 6 }]);
    cached.close();
    expect(database.open).toBe(false);
  });

  it('keeps at most the given number, dropping the least recently used', () => {
    const database = new BetterSqlite3(':memory:');
    const cached = withStatementCache(database, 2);
    const a = cached.prepare('select 1');
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a);
    cached.prepare('select 3');
    // `select 2` was used least recently: dropped, and prepared anew; `select 1` kept
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
    cached.close();
  });

  it("begins kysely's transactions immediate: a second connection (the delivery thread's) waits, never wins", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-begin-'));
    const file = join(dir, 'db.sqlite');
    const database = new BetterSqlite3(file);
    database.pragma('journal_mode = WAL');
    database.exec('create table t (n integer)');
    const db = new Kysely<{ t: { n: number } }>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    });
    // The other connection does not wait: it is answered busy at once while the transaction holds the write lock.
    const other = new BetterSqlite3(file, { timeout: 0 });
    try {
      const during = await db.transaction().execute(async (trx) => {
        await sql`select count(*) from t`.execute(trx);
        // With a deferred begin this write would succeed, and the transaction's own write below would then fail
        // with SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out.
        let refused = '';
        try {
          other.prepare('insert into t (n) values (1)').run();
        } catch (error) {
          refused = (error as { code?: string }).code ?? '';
        }
        await trx.insertInto('t').values({ n: 2 }).execute();
        return refused;
      });
      expect(during).toBe('SQLITE_BUSY');
      other.prepare('insert into t (n) values (3)').run();
      expect(other.prepare('select n from t order by n').all()).toEqual([{ n: 2 }, { n: 3 }]);
    } finally {
      other.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
