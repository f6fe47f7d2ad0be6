import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared test server (trust auth on loopback; the test command makes sure it runs). */
export const sharedPostgres = process.env.AMTSBOTE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

async function onServer<T>(server: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one test run: `amtsbote_test_<random>`, dropped by `drop()`. */
export async function createTestDatabase(server = sharedPostgres): Promise<TestDatabase> {
  const name = `amtsbote_test_${randomBytes(6).toString('hex')}`;
  await onServer(server, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `${server}/${name}`,
    drop: () => onServer(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
