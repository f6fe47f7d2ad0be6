import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { waitUntil } from '../helpers/wait.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await (database as TestDatabase | undefined)?.drop();
});

describe('a PostgreSQL connection that breaks while checked out of the pool', () => {
  // The server ends a connection between two statements of its user (a restart: `pg_ctl stop -m fast` sends
  // every backend 57P01, as pg_terminate_backend does). The pool listens only to its idle connections; without a
  // listener of the store's own, the client's 'error' event escaped as an uncaught exception, which ended the
  // delivery thread (it has no process guard) and left it down while the server was.
  it('is reported, fails its next statement, and the pool opens a new one', async () => {
    const broken: Error[] = [];
    const db = openPostgresDatabase(database.url, { poolSize: 2, onConnectionError: (e) => broken.push(e) });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const next = await db.connection().execute(async (connection) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        await waitUntil(
          () => broken.length > 0,
          10_000,
          () => 'the broken connection was not reported',
        );
        return sql`select 1`.execute(connection).then(
          () => 'answered',
          () => 'failed',
        );
      });
      expect(next).toBe('failed');
      expect(broken[0]).toMatchObject({ code: '57P01' });
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await db.destroy();
    }
  });
});
