import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeTopic } from '../../src/store/change-topics.js';
import { listenForChanges } from '../../src/store/postgres-listener.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, sharedPostgres, type TestDatabase } from '../helpers/postgres.js';
import { sqliteFactory, type StoreLocation } from '../helpers/stores.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually } from '../helpers/outbox.js';
import { testSubmission } from '../helpers/submissions.js';

/**
 * Wake-ups across instances (issue 27): what one PostgreSQL store commits is announced to the listeners of the
 * others; a listener whose connection breaks says so and listens again. SQLite has nobody to tell.
 */
describe('change notices between PostgreSQL instances', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let writer: Store;
  const heard: ChangeTopic[] = [];
  const lost: string[] = [];
  let listening = 0;
  let listener: { stop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
    writer = openPostgresStore(database.url, { poolSize: 2 });
    await writer.migrate();
    // the listener reaches the server through a proxy the test can cut, as a network fault or restart would
    proxy = await startTcpProxy(Number(new URL(sharedPostgres).port || 5432));
    const url = new URL(database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    listener = listenForChanges(url.toString(), {
      onChange: (topic) => heard.push(topic),
      onListening: () => {
        listening++;
      },
      onLost: (error) => lost.push(error.name),
      retryMs: 100,
    });
    await eventually(
      () => Promise.resolve(listening),
      (n) => n === 1,
    );
  });
  afterAll(async () => {
    await listener.stop();
    await writer.close();
    await proxy.close();
    await database.drop();
  });

  const hears = async (topic: ChangeTopic, change: () => Promise<unknown>) => {
    heard.length = 0;
    await change();
    const got = await eventually(
      () => Promise.resolve([...heard]),
      (h) => h.includes(topic),
    );
    expect(got).toContain(topic);
  };

  it('hears a new routing version, deliveries due now and a key rotation, each as its topic', async () => {
    await hears('routing', () =>
      writer.appendRoutingVersion(0, { document: {}, author: 't', note: 'n', createdAt: new Date().toISOString() }),
    );
    await hears('deliveries', () => writer.announce('deliveries'));
    await writer.registerKeys([{ kid: 'k1', purpose: 'signing' }], new Date().toISOString());
    await hears('keys', () => writer.activateKey('k1', 't', new Date().toISOString()));
  });

  it('hears an accepted submission as deliveries due now, its notice sent in the statement that writes it', async () => {
    const at = new Date().toISOString();
    const accept = (id: string, idempotency?: { key: string; contentHmac: string; expiresAt: string }) =>
      writer.acceptSubmission({
        submission: testSubmission(id, { receivedAt: at }),
        deliveries: [{ id: `m-${id}`, destinationId: 'dresden-gewerbeamt', state: 'pending' }],
        messages: [{ deliveryId: `m-${id}`, contentType: 'application/json', body: '{}' }],
        escrow: { escrowKid: 'escrow-1', body: 'sealed' },
        event: { at, type: 'received', data: { status: 'pending' } },
        idempotency,
      });
    await hears('deliveries', () => accept('notice-1'));
    const key = { key: 'notice-key', contentHmac: 'c1', expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await hears('deliveries', () => accept('notice-2', key));
    expect(await accept('notice-3', key)).toEqual({ kind: 'existing', submissionId: 'notice-2', contentHmac: 'c1' });
    expect((await writer.getSubmission('notice-2'))?.deliveries.map((d) => d.id)).toEqual(['m-notice-2']);
    expect(await writer.getSubmission('notice-3')).toBeUndefined();
  });

  it('says when its connection breaks, listens again, and reports every topic changed then (notices meanwhile were lost)', async () => {
    heard.length = 0;
    proxy.cut();
    await eventually(
      () => Promise.resolve(listening),
      (n) => n === 2,
    );
    expect(listening).toBe(2);
    expect(lost.length).toBeGreaterThan(0);
    expect(new Set(heard)).toEqual(new Set(['routing', 'deliveries', 'keys']));
    await hears('routing', () =>
      writer.appendRoutingVersion(1, { document: {}, author: 't', note: 'n', createdAt: new Date().toISOString() }),
    );
  });
});

describe('change notices on SQLite', () => {
  let location: StoreLocation;
  let store: Store;
  beforeAll(async () => {
    location = await sqliteFactory.create();
    store = location.open();
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await location.remove();
  });

  it('has no listener (one instance per data dir) and announces without failing', async () => {
    expect(store.listenForChanges({ onChange: () => undefined })).toBeUndefined();
    await expect(store.announce('routing')).resolves.toBeUndefined();
  });
});
