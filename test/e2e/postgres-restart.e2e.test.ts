import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { getJson, postJson } from '../helpers/http.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

const destinationId = 'chemnitz-gewerbeamt';
const chemnitzExamples = loadExamples().filter(
  (e) => !e.invalid && e.file.startsWith('chemnitz-') && e.service.startsWith('gewerbe'),
);

let cluster: PrivatePostgres;
let fixtureKeys: FixtureKeys;
let receiver: TestReceiver;
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  // a cluster of this test's own: it is stopped and started, which the shared server never is
  cluster = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE amtsbote');
  await admin.end();
  fixtureKeys = copyFixtureKeys();
  receiver = await startReceiver();
  config = copyConfig({
    urls: { [destinationId]: `${receiver.url}/gewerbe/eingang` },
    retry: { [destinationId]: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.5, maxAttempts: 100 } },
    breaker: { [destinationId]: { consecutiveFailures: 1000, halfOpenAfterSeconds: 0.5 } },
    delivery: { concurrency: 4, pollMs: 100, leaseSeconds: 2 },
    keys: fixtureKeys.keys,
    settings: { hmacSecret: 'env:AMTSBOTE_HMAC_SECRET' },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-pg-restart-'));
});

// (each may be missing when beforeAll failed half-way: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await gateway?.stop('SIGKILL');
  await (receiver as TestReceiver | undefined)?.close();
  (cluster as PrivatePostgres | undefined)?.remove();
  (config as ConfigCopy | undefined)?.remove();
  (fixtureKeys as FixtureKeys | undefined)?.remove();
  if ((dataDir as string | undefined) !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('the gateway on PostgreSQL survives a database restart', { concurrent: false }, () => {
  it(
    'pending deliveries go on once the server is back; readiness says unavailable meanwhile',
    async () => {
      // The destination refuses until the database has been restarted, so every delivery is still pending then.
      let open = false;
      receiver.respond = (_req, res) => res.writeHead(open ? 204 : 503).end();
      gateway = await spawnGateway({
        AMTSBOTE_CONFIG: config.configFile,
        AMTSBOTE_DATA_DIR: dataDir,
        AMTSBOTE_DATABASE_URL: cluster.url('amtsbote'),
        AMTSBOTE_HMAC_SECRET: 'postgres-restart-e2e-hmac-secret-of-at-least-32-characters',
      });
      const accepted: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await postJson(gateway.url, '/v1/submissions', {
          ...chemnitzExamples[i % chemnitzExamples.length]!.envelope,
          reference: `RESTART-${i}`,
        });
        expect(res.status).toBe(202);
        accepted.push(res.body.submissionId as string);
      }
      await waitUntil(
        () => receiver.received.length >= 10,
        processBoundMs,
        () => `received ${receiver.received.length}`,
      );

      const beforeStop = gateway.output().length;
      cluster.stop('fast');
      await waitUntil(
        async () => (await getJson(gateway!.url, '/health/ready')).status === 503,
        processBoundMs,
        () => 'readiness still ok with the database down',
      );
      // the worker keeps trying to claim while the server is away (it says so each time), and the process stays up
      const claimFailures = () => gateway!.output().slice(beforeStop).split('claiming deliveries failed').length - 1;
      await waitUntil(
        () => claimFailures() >= 3,
        processBoundMs,
        () => `claims failed ${claimFailures()} times\n${gateway!.output().slice(-3000)}`,
      );
      expect(gateway.child.exitCode).toBeNull();

      cluster.start();
      open = true;
      await waitUntil(
        async () => (await getJson(gateway!.url, '/health/ready')).status === 200,
        processBoundMs,
        () => 'readiness not back',
      );
      let statuses: unknown[] = [];
      await waitUntil(
        async () =>
          (statuses = await Promise.all(
            accepted.map(async (id) => (await getJson(gateway!.url, `/v1/submissions/${id}`)).body.status),
          )).every((s) => s === 'delivered'),
        processBoundMs,
        () => `statuses ${JSON.stringify(statuses)}\n${gateway!.output().slice(-3000)}`,
      );
      // and the gateway takes new submissions again
      const after = await postJson(gateway.url, '/v1/submissions', {
        ...chemnitzExamples[0]!.envelope,
        reference: 'RESTART-after',
      });
      expect(after.status).toBe(202);
    },
    7 * processBoundMs,
  ); // a start and six waits, each bounded on its own
});
