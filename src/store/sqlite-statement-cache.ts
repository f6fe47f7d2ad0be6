import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Keeps prepared statements for reuse: kysely prepares every query anew, and compiling the same SQL again on
 * each call was a tenth of the gateway's main-thread time per submission (bench/ profile). Bounded, least
 * recently used first out, since `in (…)` lists of varying length make distinct SQL. Reuse is safe because
 * every query runs to completion (`all`/`run`) before the next one starts on this one connection; the store
 * never streams rows with `iterate`.
 */
export function withStatementCache(database: BetterSqlite3.Database, maxStatements = 500): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql) => {
      // kysely begins a transaction with a plain (deferred) `begin`. Since the delivery thread writes to the same
      // file over a connection of its own, a deferred transaction that reads first could fail at its first write
      // with SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out; `begin immediate` takes the write lock
      // first and waits for it.
      if (sql === 'begin') sql = 'begin immediate';
      const cached = statements.get(sql);
      if (cached) {
        // refresh its place in the order of use
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > maxStatements) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}
