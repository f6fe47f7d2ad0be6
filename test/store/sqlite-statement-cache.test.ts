import BetterSqlite3 from 'better-sqlite3';
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
});
