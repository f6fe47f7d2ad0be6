import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { loadConfig } from '../../src/config/load.js';
import { configOnStore } from '../helpers/config-on-store.js';
import { startTestGateway } from '../helpers/gateway.js';
import { testSubmission } from '../helpers/submissions.js';

/**
 * At start the gateway releases leases only where the serve lock proves their holder is gone: on SQLite (one
 * gateway process per data dir). On PostgreSQL another live instance may hold them, so they wait for expiry.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(kind: 'sqlite' | 'postgres') {
  // no worker: what the start leaves in the row is what is read below, not a later claim
  const { config, dataDir, database } = await configOnStore(kind, cleanups, 'lease');
  const env = { AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0' };

  // A pending delivery leased for an hour by a worker that is not this gateway's.
  const store = await openStore(loadConfig({ configFile: config.configFile, env }));
  try {
    await store.acceptSubmission({
      submission: testSubmission('lease-s1', { receivedAt: new Date().toISOString() }),
      deliveries: [{ id: 'lease-m1', destinationId: 'dresden-gewerbeamt', state: 'pending' }],
      messages: [{ deliveryId: 'lease-m1', contentType: 'application/json', body: '{}' }],
      event: { at: new Date().toISOString(), type: 'received', data: { status: 'pending' } },
    });
    const claimed = await store.claimDeliveries({
      owner: 'other-worker',
      now: new Date(Date.now() + 1000).toISOString(),
      leaseUntil: new Date(Date.now() + 3_600_000).toISOString(),
      limit: 10,
      excludeDestinations: [],
    });
    expect(claimed.map((c) => c.id)).toEqual(['lease-m1']);
  } finally {
    await store.close();
  }
  const gw = await startTestGateway({ configFile: config.configFile, dataDir, env });
  cleanups.push(() => gw.stop());
  /** Who holds the lease now, read from the database itself (the store interface does not show leases). */
  const leaseOwner = async (): Promise<string | null> => {
    if (database) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (
          (
            await client.query<{ lease_owner: string | null }>(
              "select lease_owner from deliveries where id = 'lease-m1'",
            )
          ).rows[0]?.lease_owner ?? null
        );
      } finally {
        await client.end();
      }
    }
    const db = new BetterSqlite3(join(dataDir, 'amtsbote.sqlite'), { readonly: true });
    try {
      return (
        db.prepare("select lease_owner from deliveries where id = 'lease-m1'").get() as { lease_owner: string | null }
      ).lease_owner;
    } finally {
      db.close();
    }
  };
  return { gw, leaseOwner };
}

describe('leases at start', () => {
  it("SQLite: the previous process's lease is released at start (the serve lock proves it is gone)", async () => {
    const { gw, leaseOwner } = await setUp('sqlite');
    expect(await leaseOwner()).toBeNull();
    const line = gw
      .logs()
      .split('\n')
      .find((l) => l.includes('released the leases of the previous gateway process'));
    expect(line && (JSON.parse(line) as { deliveries?: number }).deliveries).toBe(1);
  });

  it("PostgreSQL: another instance's lease stays until it expires", async () => {
    const { gw, leaseOwner } = await setUp('postgres');
    expect(await leaseOwner()).toBe('other-worker');
    expect(gw.logs()).not.toContain('released the leases');
  }, 60_000);
});
