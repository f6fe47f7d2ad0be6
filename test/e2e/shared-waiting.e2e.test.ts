import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { routeLeipzigToSimulator } from '../helpers/fitconnect.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { adminCall, adminTokens, postJson, testFetch } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

/**
 * Several instances share the waiting (issue 27), between real processes on one PostgreSQL database: a
 * routing change reaches the other instance by notice, long before its poll; one instance polls a
 * FIT-Connect destination's cases (counted at the simulator), and another takes over when it dies.
 */
const gmbh = loadExamples().find((e) => e.file === 'leipzig-gmbh.json')!;
const destinationId = 'leipzig-fitconnect';
/** Far longer than any wait here: what reaches the other instance sooner came by notice. */
const routingPollSeconds = 300;
const pollSeconds = 1;
const cases = 3;

let database: TestDatabase;
let sim: FitConnectSimulator;
let fixtureKeys: FixtureKeys;
let config: ConfigCopy;
const dataDirs: string[] = [];
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sim = await startFitConnectSimulator();
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50, leaseSeconds: 10, shutdownGraceSeconds: 2 },
    keys: fixtureKeys.keys,
    settings: { hmacSecret: 'env:AMTSBOTE_HMAC_SECRET', routingPollSeconds },
  });
  routeLeipzigToSimulator(config, sim, destinationId, [], { pollSeconds });
});
// (each may be missing when beforeAll failed half-way: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
  await (sim as FitConnectSimulator | undefined)?.close();
  await (database as TestDatabase | undefined)?.drop();
  (config as ConfigCopy | undefined)?.remove();
  (fixtureKeys as FixtureKeys | undefined)?.remove();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function startInstance(): Promise<GatewayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-instance-'));
  dataDirs.push(dataDir);
  const gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: dataDir,
    AMTSBOTE_DATABASE_URL: database.url,
    AMTSBOTE_HMAC_SECRET: 'shared-waiting-e2e-hmac-secret-of-at-least-32-characters',
    FITCONNECT_CLIENT_SECRET: sim.clientSecret,
  });
  gateways.push(gateway);
  return gateway;
}

/** A metric of one instance for the destination (0 when it has none), from its own metrics address. */
async function metric(gateway: GatewayProcess, name: string): Promise<number> {
  const metricsUrl = /"metricsUrl":"([^"]+)"/.exec(gateway.output())?.[1];
  if (!metricsUrl) throw new Error('the instance did not say where its metrics are');
  const text = await (await testFetch(metricsUrl)).text();
  const match = new RegExp(`^${name}\\{destination="${destinationId}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
const polls = (g: GatewayProcess) => metric(g, 'amtsbote_receipt_polls_total');

/** Event-log reads at the simulator so far (`GET …/cases/{caseId}/events`). */
const eventLogReads = () =>
  sim.requests.filter((r) => r.method === 'GET' && /\/cases\/[^/]+\/events/.test(r.path)).length;

describe('two instances on PostgreSQL share the waiting', { concurrent: false }, () => {
  let a: GatewayProcess;
  let b: GatewayProcess;

  it('take a routing change made on the other instance without waiting for the routing poll', async () => {
    a = await startInstance();
    b = await startInstance();
    const current = await adminCall(a.url, 'GET', '/routing', adminTokens.viewer);
    expect(current.body.version).toBe(1);
    const saved = await adminCall(
      a.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'told by notice', document: current.body.document },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(saved.status).toBe(200);
    // b started with version 1 and polls only every 300 s: the bound of this wait is well below that
    expect(processBoundMs).toBeLessThan(routingPollSeconds * 1000);
    await waitUntil(
      async () => (await adminCall(b.url, 'GET', '/routing', adminTokens.viewer)).body.version === 2,
      processBoundMs,
      () => 'instance b did not take routing version 2',
    );
  });

  it('poll each FIT-Connect case once per interval: one instance polls, the other does not', async () => {
    for (let i = 0; i < cases; i++) {
      const accepted = await postJson(a.url, '/v1/submissions', { ...gmbh.envelope, reference: `SHARED-POLL-${i}` });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    }
    await waitUntil(
      () => [...sim.submissions.values()].filter((s) => s.state === 'submitted').length === cases,
      processBoundMs,
      () => `${[...sim.submissions.values()].filter((s) => s.state === 'submitted').length} of ${cases} submitted`,
    );
    // every case polled a few times, so that both instances have had their rounds
    await waitUntil(
      async () => (await polls(a)) + (await polls(b)) >= cases * 3,
      processBoundMs,
      () => 'the cases were not polled three times each',
    );
    const counts = [await polls(a), await polls(b)];
    expect(counts.filter((n) => n > 0)).toHaveLength(1);
    expect(
      (await metric(a, 'amtsbote_receipt_poller')) + (await metric(b, 'amtsbote_receipt_poller')),
      'one poll lease holder',
    ).toBe(1);

    // at the simulator: over a window, each case is read at most once per interval (plus one for the window's
    // edges) — two pollers would read it about twice as often. Only an upper bound: a slow machine polls less.
    const before = eventLogReads();
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 6 * pollSeconds * 1000));
    const reads = eventLogReads() - before;
    const intervals = (Date.now() - started) / (pollSeconds * 1000);
    expect(reads / cases).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
  });

  it('hand the polling over when the polling instance dies', async () => {
    const holderIsA = (await polls(a)) > 0;
    const [holder, other] = holderIsA ? [a, b] : [b, a];
    expect(await polls(other)).toBe(0);
    await holder.stop('SIGKILL');
    // the dead holder's lease runs out (15 s at most with 1 s polls), then the other takes over
    await waitUntil(
      async () => (await polls(other)) >= cases,
      processBoundMs,
      () => 'the surviving instance did not take over the polling',
    );
    const reads = eventLogReads();
    await waitUntil(
      () => eventLogReads() > reads,
      processBoundMs,
      () => 'no event-log reads after the takeover',
    );
  });
});
