import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { channelOf } from './change-topics.js';
import { kyselyStore } from './kysely-store.js';
import { leaseRateTokens } from './rate-token-leases.js';
import { acceptSubmissionAtOnce } from './sql/accept-submission-at-once.js';
import { takeRateToken } from './sql/take-rate-token.js';
import { listenForChanges } from './postgres-listener.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/**
 * int8 (count(*), sums) arrives as a string from pg, because a JavaScript number cannot hold every int8. The
 * store's int8 values are counts and row numbers far below 2^53, so they are read as numbers.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: Parameters<typeof pg.types.getTypeParser>[0], format?: 'text' | 'binary'): unknown =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresStoreOptions {
  poolSize?: number | undefined;
  /** Told when a connection breaks (the server restarted), idle or checked out: the pool replaces it on next use. */
  onConnectionError?: ((error: Error) => void) | undefined;
}

/**
 * The shared store of several gateway instances. Claiming takes rows with FOR UPDATE SKIP LOCKED, so
 * instances never wait on each other's claims; changes are announced to the other instances with NOTIFY
 * (postgres-listener.ts); an accepted submission is written in one statement with its notice
 * (sql/accept-submission-at-once.ts), and rate tokens are taken a few at a time under load
 * (rate-token-leases.ts); everything else is the same query layer as SQLite.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const db = openPostgresDatabase(url, options);
  const store = kyselyStore(db, 'postgres', {
    notify: async (topic) => {
      await sql`select pg_notify(${channelOf(topic)}, '')`.execute(db);
    },
    listenForChanges: (listener) => listenForChanges(url, listener),
    backup: () =>
      Promise.reject(
        new Error(
          'a PostgreSQL store is backed up with PostgreSQL\'s own tools: pg_dump --format=custom (see the README, "Backup")',
        ),
      ),
  });
  // One statement that also tells the other instances' workers (accept-submission-at-once.ts).
  const deliveriesChannel = channelOf('deliveries');
  return {
    ...store,
    acceptSubmission: (input) => acceptSubmissionAtOnce(db, input, deliveriesChannel),
    takeRateToken: leaseRateTokens((key, nowMs, bucket, count) => takeRateToken(db, key, nowMs, bucket, count)),
  };
}

/** A kysely instance over a pg pool (also for `store copy`, which works on tables rather than the Store). */
export function openPostgresDatabase(url: string, options: PostgresStoreOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
  });
  // A connection that breaks (a server restart sends every backend 57P01) emits 'error': without a listener that
  // would be an uncaught exception, which ends a worker thread (the delivery thread has no process guard). The
  // pool listens to its idle connections only, so each connection gets a listener of its own, for its whole life:
  // a broken connection that is checked out fails its next statement and is dropped when released.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error));
  });
  // (the pool re-emits an idle connection's error here: already reported by the connection's own listener)
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
