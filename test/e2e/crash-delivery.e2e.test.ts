import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { getJson, postJson } from '../helpers/http.js';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

const destinationId = 'chemnitz-gewerbeamt';
const webhookSecret = readFileSync(
  join(projectRoot, 'config/demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY'),
  'utf8',
).trim();
const chemnitzExamples = loadExamples().filter(
  (e) => !e.invalid && e.file.startsWith('chemnitz-') && e.service.startsWith('gewerbe'),
);
const shutdownGraceSeconds = 2;
/** config/routing.yaml's timeout for chemnitz-gewerbeamt: how long a stop would wait without the grace. */
const adapterTimeoutMs = 15_000;

interface Accepted {
  submissionId: string;
  messageId: string;
}

/** What a test started; torn down after each test whatever happened. */
interface Setup {
  receiver: TestReceiver;
  config: ConfigCopy;
  dataDir: string;
  env: Record<string, string>;
  gateways: GatewayProcess[];
}
let setup: Setup | undefined;

/** The test fixtures' gateway keys (owner-only copies), named in each config copy: no RSA-4096 generation per start. */
let fixtureKeys: FixtureKeys;
let keys: FixtureKeys['keys'];
beforeAll(() => {
  fixtureKeys = copyFixtureKeys();
  keys = fixtureKeys.keys;
});
// (fixtureKeys is missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(() => {
  (fixtureKeys as FixtureKeys | undefined)?.remove();
});

async function prepare(): Promise<Setup> {
  const receiver = await startReceiver();
  const config = copyConfig({
    urls: { [destinationId]: `${receiver.url}/gewerbe/eingang` },
    retry: { [destinationId]: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 50 } },
    // a short lease, so that the claims of a killed process expire within the test (renewed while attempts run);
    // few attempts at once, so that deliveries are still in flight when the process is stopped
    delivery: { concurrency: 4, pollMs: 50, leaseSeconds: 2, shutdownGraceSeconds },
    keys,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-crash-'));
  setup = {
    receiver,
    config,
    dataDir,
    env: { AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir },
    gateways: [],
  };
  return setup;
}

afterEach(async () => {
  if (!setup) return;
  const { receiver, config, dataDir, gateways } = setup;
  setup = undefined;
  // (a process that ended by a signal has no exit code; stop() would wait for an exit already past)
  await Promise.all(
    gateways.filter((g) => g.child.exitCode === null && g.child.signalCode === null).map((g) => g.stop('SIGKILL')),
  );
  await receiver.close();
  config.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(s: Setup): Promise<GatewayProcess> {
  const gateway = await spawnGateway(s.env);
  s.gateways.push(gateway);
  return gateway;
}

const messageIdOf = (req: ReceivedRequest) => String(req.headers['amtsbote-message-id']);

/** Submits `count` distinct Chemnitz submissions, four at a time; every one must be accepted with 202. */
async function submit(url: string, count: number, tag: string): Promise<Accepted[]> {
  const accepted: Accepted[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const example = chemnitzExamples[i % chemnitzExamples.length]!;
      const res = await postJson(url, '/v1/submissions', { ...example.envelope, reference: `E2E-${tag}-${i}` });
      if (res.status !== 202) throw new Error(`${example.file} #${i}: ${res.status} ${JSON.stringify(res.body)}`);
      const destinations = res.body.destinations as { destinationId: string; messageId: string }[];
      const messageId = destinations.find((d) => d.destinationId === destinationId)?.messageId;
      if (!messageId) throw new Error(`${example.file} #${i}: no message for ${destinationId}`);
      accepted.push({ submissionId: res.body.submissionId as string, messageId });
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return accepted;
}

async function statuses(url: string, accepted: Accepted[]): Promise<string[]> {
  return Promise.all(
    accepted.map(async (a) => {
      const res = await getJson(url, `/v1/submissions/${a.submissionId}`);
      return res.status === 200 ? String(res.body.status) : `http-${res.status}`;
    }),
  );
}

/** Every request the receiver got is signed with the destination's Standard Webhooks secret and names its message. */
function expectAllSigned(received: ReceivedRequest[]) {
  const webhook = new Webhook(webhookSecret);
  for (const req of received) {
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    expect(() => webhook.verify(req.body, headers), messageIdOf(req)).not.toThrow();
    expect(headers['webhook-id']).toBe(messageIdOf(req));
    expect(JSON.parse(req.body)).toMatchObject({
      format: 'amtsbote-sealed/1',
      messageId: messageIdOf(req),
      destinationId,
    });
  }
  // and a tampered body is refused: the check above is not vacuous
  const first = received[0]!;
  expect(() =>
    webhook.verify(first.body + ' ', {
      'webhook-id': String(first.headers['webhook-id']),
      'webhook-timestamp': String(first.headers['webhook-timestamp']),
      'webhook-signature': String(first.headers['webhook-signature']),
    }),
  ).toThrow();
}

describe('delivery survives the gateway process dying', () => {
  it(
    'SIGKILL with deliveries in flight: after a restart every accepted message arrives (duplicates allowed), none lost',
    async () => {
      const s = await prepare();
      // A slow receiver: it answers 300 ms after a request has arrived. Before the kill it answers only the first
      // twelve and holds the rest, so that however fast intake and delivery run, some (not all) have arrived and
      // attempts are under way when the process dies.
      const unanswered = new Map<ServerResponse, string>();
      let answering = 12;
      s.receiver.respond = (req, res) => {
        unanswered.set(res, messageIdOf(req));
        if (answering-- <= 0) return;
        setTimeout(() => {
          unanswered.delete(res);
          if (!res.destroyed) res.writeHead(204).end();
        }, 300);
      };
      const arrived = () => new Set(s.receiver.received.map(messageIdOf));

      const first = await start(s);
      const accepted = await submit(first.url, 40, 'KILL');
      expect(accepted).toHaveLength(40);
      const ids = new Set(accepted.map((a) => a.messageId));
      expect(ids.size).toBe(40);

      // Kill once some, but not all, have arrived and attempts are under way at the receiver.
      await waitUntil(
        () => unanswered.size > 0 && arrived().size >= 4,
        processBoundMs,
        () => `arrived ${arrived().size}, in flight ${unanswered.size}\n${first.output()}`,
      );
      const cutOff = [...unanswered.values()];
      const arrivedBeforeKill = arrived().size;
      const received = s.receiver.received.length;
      const killed = first.stop('SIGKILL');
      unanswered.clear();
      answering = Infinity;
      expect(await killed).toBeNull();
      expect(arrivedBeforeKill).toBeGreaterThan(0);
      expect(arrivedBeforeKill).toBeLessThan(accepted.length);
      expect(cutOff.length).toBeGreaterThan(0);

      const second = await start(s);
      await waitUntil(
        () => [...ids].every((id) => arrived().has(id)),
        processBoundMs,
        () => `arrived ${[...ids].filter((id) => arrived().has(id)).length} of ${ids.size}\n${second.output()}`,
      );
      let last: string[] = [];
      await waitUntil(
        async () => (last = await statuses(second.url, accepted)).every((st) => st === 'delivered'),
        processBoundMs,
        () => `statuses ${JSON.stringify(last)}`,
      );

      // Nothing unknown arrived, every request was signed, and the attempts the kill cut off were made again.
      expect(s.receiver.received.every((r) => ids.has(messageIdOf(r)))).toBe(true);
      expectAllSigned(s.receiver.received);
      const afterRestart = s.receiver.received.slice(received).map(messageIdOf);
      for (const id of cutOff) expect(afterRestart, `${id} was in flight at the kill`).toContain(id);
      // two starts and three waits, each bounded on its own: the test's bound is their sum, so that the one that
      // runs out names itself (with the process output) instead of a bare test timeout
    },
    6 * processBoundMs,
  );

  it(
    'SIGTERM with a stalled receiver: exits within the shutdown grace; after a restart everything is delivered',
    async () => {
      const s = await prepare();
      // A receiver that takes requests and never answers.
      let healthy = false;
      s.receiver.respond = (_req, res) => {
        if (healthy) res.writeHead(204).end();
      };

      const first = await start(s);
      const accepted = await submit(first.url, 8, 'TERM');
      await waitUntil(
        () => s.receiver.received.length >= 4,
        processBoundMs,
        () => `received ${s.receiver.received.length}\n${first.output()}`,
      );

      const stoppedAt = Date.now();
      const code = await first.stop('SIGTERM');
      const tookMs = Date.now() - stoppedAt;
      expect(code, first.output()).toBe(0);
      // It waits for the attempts in flight up to the grace, then aborts them and gives them back: it is gone before
      // the attempts' own timeout would have ended them (compared with that, not with the grace plus a guess of how
      // long the rest takes, which a busy machine stretches).
      expect(tookMs).toBeLessThan(adapterTimeoutMs);
      expect(first.output()).toContain('gateway stopped');

      healthy = true;
      const stalled = s.receiver.received.length;
      const second = await start(s);
      let last: string[] = [];
      await waitUntil(
        async () => (last = await statuses(second.url, accepted)).every((st) => st === 'delivered'),
        processBoundMs,
        () => `statuses ${JSON.stringify(last)}\n${second.output()}`,
      );
      const afterRestart = new Set(s.receiver.received.slice(stalled).map(messageIdOf));
      for (const a of accepted) expect(afterRestart.has(a.messageId), a.messageId).toBe(true);
      expectAllSigned(s.receiver.received);
    },
    5 * processBoundMs,
  );
});
