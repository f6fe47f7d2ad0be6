import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createBackupTarget } from './sqlite-backup-file.js';
import { Kysely, SqliteDialect } from 'kysely';
import { kyselyStore } from './kysely-store.js';
import { groupAccepts } from './sqlite-grouped-accept.js';
import { groupCommits } from './sqlite-group-commit.js';
import { claimDeliveries } from './sql/claim-deliveries.js';
import { writeAttempt } from './sql/record-attempt.js';
import { inMemoryRateBuckets } from './sqlite-rate-buckets.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/**
 * The embedded database: one gateway process per file. WAL lets CLI commands read alongside it;
 * synchronous=FULL because a 202 promises that the submission survives a power cut.
 */
export function openSqliteDatabase(file: string): { db: Kysely<Database>; database: BetterSqlite3.Database } {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    database,
  };
}

/**
 * The embedded store. Its backup is SQLite's online backup: consistent while the gateway keeps writing.
 * Accepts are committed in groups (sqlite-grouped-accept.ts): one fsync for the submissions of one event-loop
 * turn rather than one each; so are the delivery worker's claims and outcomes (sqlite-group-commit.ts);
 * closing waits for the writes already queued. Rate-limit buckets live in memory
 * (sqlite-rate-buckets.ts): one process per data dir has nobody to share them with.
 */
export function openSqliteStore(file: string): Store {
  const { db, database } = openSqliteDatabase(file);
  const store = kyselyStore(db, 'sqlite', {
    // one gateway process per data dir: nobody to tell of a change
    listenForChanges: () => undefined,
    backup: async (target, options) => {
      createBackupTarget(target, options?.force ?? false);
      await database.backup(target);
    },
  });
  const grouped = groupAccepts(db);
  // The worker's claims and outcomes of one turn share a commit (a claim resolves, and its attempt starts, only
  // once it is durable, as before).
  const outbox = groupCommits(db, { savepoint: 'outbox' });
  const buckets = inMemoryRateBuckets();
  return {
    ...store,
    acceptSubmission: grouped.accept,
    claimDeliveries: (options) => outbox.run((trx) => claimDeliveries(trx, options)),
    recordAttempt: (input) => outbox.run((trx) => writeAttempt(trx, input)),
    takeRateToken: (key, nowMs, bucket) => Promise.resolve(buckets.take(key, nowMs, bucket)),
    sweepRateBuckets: (beforeMs) => Promise.resolve(buckets.sweep(beforeMs)),
    close: async () => {
      await Promise.all([grouped.drain(), outbox.drain()]);
      await store.close();
    },
  };
}
