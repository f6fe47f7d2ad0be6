import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFitConnectSimulator,
  type AddedDestination,
  type FitConnectSimulator,
} from '../fixtures/fitconnect-simulator/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { leipzigGewerbeanmeldung } from '../helpers/fitconnect-examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { leipzigSubscriberSettings } from '../helpers/fitconnect-subscriber.js';
import { adminCall, adminTokens, testFetch } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

/**
 * Issue 23's bad input "a delivery service that answers 5xx, 429 or slowly", between real processes: the
 * simulated delivery service fails or stalls one kind of call (list, fetch, attachment, event-log read, SET post)
 * once or a few times; each must end in a retry, and in the end the submission is accepted exactly once, exactly
 * one onward case exists, no callback got a 5xx from us and the gateway still runs.
 */
const gewerbeanmeldung = leipzigGewerbeanmeldung;
const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const callbackSecret = 'leipzig-callback-secret-for-the-fault-test';
/** The subscriber client's timeout; a "slow" answer takes well beyond it. */
const clientTimeoutMs = 1500;
const slowMs = 4000;

const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fc-faults-'));
const dataDir = join(workDir, 'data');
let sim: FitConnectSimulator;
let destination: AddedDestination;
let config: ConfigCopy;
let fixtureKeys: FixtureKeys;
let gateway: GatewayProcess;

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  const client = sim.addClient();
  destination = sim.addDestination({ subscribers: [client.clientId] });
  fixtureKeys = copyFixtureKeys();
  const settings = leipzigSubscriberSettings(sim, client, destination, workDir);
  const [subscriber] = settings.fitConnectSubscribers as Record<string, unknown>[];
  subscriber!.timeoutMs = clientTimeoutMs;
  config = copyConfig({ delivery: { pollMs: 50 }, keys: fixtureKeys.keys, settings });
  gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: dataDir,
    FC_SUBSCRIBER_SECRET: client.clientSecret,
    FC_CALLBACK_SECRET: callbackSecret,
  });
  sim.setCallback(destination.destinationId, {
    url: `${gateway.url}/fitconnect/callbacks/${destination.destinationId}`,
    secret: callbackSecret,
  });
});
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  (fixtureKeys as FixtureKeys | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
});

interface InboundEntry {
  fitConnect: { submissionId: string; caseId: string };
  state: string;
  reason?: string;
  submissionId?: string;
  attempts: number;
}
const entryOf = async (submissionId: string): Promise<InboundEntry | undefined> =>
  (
    (await adminCall(gateway.url, 'GET', '/inbound', adminTokens.editor)).body as { inbound: InboundEntry[] }
  ).inbound.find((e) => e.fitConnect.submissionId === submissionId);
/** The onward submissions that have a delivery to Leipzig's trade office. */
async function onwardCases(): Promise<Set<string>> {
  const answer = await adminCall(gateway.url, 'GET', '/deliveries?destination=leipzig-gewerbeamt', adminTokens.editor);
  const deliveries = (answer.body as { deliveries?: { submissionId: string }[] }).deliveries ?? [];
  return new Set(deliveries.map((d) => d.submissionId));
}

const api = '/submission-api/v[12]';
const paths = {
  list: new RegExp(`^${api}/submissions$`),
  fetch: new RegExp(`^${api}/submissions/[^/]+$`),
  attachment: new RegExp(`^${api}/submissions/[^/]+/attachments/[^/]+$`),
  eventLog: new RegExp(`^${api}/cases/[^/]+/events$`),
};
type Fault =
  | { kind: 'fail'; method: string; path: RegExp; status: number; retryAfter?: string; times: number }
  | { kind: 'slow'; method: string; path: RegExp; times: number };

const faults: [string, Fault][] = [
  ['the list answers 503 twice', { kind: 'fail', method: 'GET', path: paths.list, status: 503, times: 2 }],
  [
    'the list answers 429 + Retry-After',
    { kind: 'fail', method: 'GET', path: paths.list, status: 429, retryAfter: '1', times: 1 },
  ],
  ['the fetch answers 503 twice', { kind: 'fail', method: 'GET', path: paths.fetch, status: 503, times: 2 }],
  [
    'the fetch answers 429 + Retry-After',
    { kind: 'fail', method: 'GET', path: paths.fetch, status: 429, retryAfter: '2', times: 1 },
  ],
  ['the fetch answers slowly', { kind: 'slow', method: 'GET', path: paths.fetch, times: 1 }],
  ['the attachment answers 503', { kind: 'fail', method: 'GET', path: paths.attachment, status: 503, times: 1 }],
  [
    'the attachment answers 429 + Retry-After',
    { kind: 'fail', method: 'GET', path: paths.attachment, status: 429, retryAfter: '1', times: 2 },
  ],
  ['the attachment answers slowly', { kind: 'slow', method: 'GET', path: paths.attachment, times: 1 }],
  [
    'the event-log read answers 503 twice',
    { kind: 'fail', method: 'GET', path: paths.eventLog, status: 503, times: 2 },
  ],
  [
    'the event-log read answers 429 + Retry-After',
    { kind: 'fail', method: 'GET', path: paths.eventLog, status: 429, retryAfter: '1', times: 1 },
  ],
  ['the event-log read answers slowly', { kind: 'slow', method: 'GET', path: paths.eventLog, times: 1 }],
  ['the SET post answers 503', { kind: 'fail', method: 'POST', path: paths.eventLog, status: 503, times: 1 }],
  [
    'the SET post answers 429 + Retry-After',
    { kind: 'fail', method: 'POST', path: paths.eventLog, status: 429, retryAfter: '2', times: 2 },
  ],
  // the slow post is taken by the delivery service after our timeout: the next pick-up finds the accept in the
  // log and must not post a second one
  ['the SET post answers slowly', { kind: 'slow', method: 'POST', path: paths.eventLog, times: 1 }],
];

describe('Amtsbote as subscriber, when the FIT-Connect delivery service fails or stalls', () => {
  it.each(faults)('%s: a retry, then one accept and one onward case', async (_name, fault) => {
    const casesBefore = await onwardCases();
    const requestsBefore = sim.requests.length;
    const callbacksBefore = sim.callbacks.length;
    if (fault.kind === 'fail') sim.failNext(fault);
    else sim.slowNext({ method: fault.method, path: fault.path, delayMs: slowMs, times: fault.times });

    const sent = await sim.sendAsOnlineService(destination.destinationId, gewerbeanmeldung);
    const entry = await pollValue(
      () => entryOf(sent.submissionId),
      (e) => e?.state === 'accepted' || e?.state === 'rejected',
    );
    expect(entry, JSON.stringify(entry)).toMatchObject({ state: 'accepted' });
    expect(sim.submissionState(sent.submissionId)).toBe('accepted');

    // the fault did happen, and the call was made again after it (a stalled request is not in the simulator's
    // log, which records answers: that it ended in a retry shows in the pick-up's attempts)
    if (fault.kind === 'fail') {
      const matching = sim.requests
        .slice(requestsBefore)
        .filter((r) => r.method === fault.method && fault.path.test(r.path));
      expect(matching.filter((r) => r.status === fault.status)).toHaveLength(fault.times);
      expect(matching.length).toBeGreaterThan(fault.times);
    } else expect(entry!.attempts).toBeGreaterThan(1);

    // exactly one accept in the case's event log, and exactly one onward case
    const accepts = sim.eventLogClaims(sent.caseId).filter((e) => acceptEvent in (e.claims.events as object));
    expect(accepts).toHaveLength(1);
    const casesAfter = await pollValue(onwardCases, (found) => found.size > casesBefore.size);
    expect([...casesAfter].filter((id) => !casesBefore.has(id))).toEqual([entry!.submissionId]);

    // never a 5xx of ours to a callback, and the gateway still runs
    const callbacks = sim.callbacks.slice(callbacksBefore);
    expect(callbacks.filter((c) => (c.status ?? 0) >= 500)).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.child.signalCode).toBeNull();
    expect((await testFetch(`${gateway.url}/health/live`)).status).toBe(200);
  });
});
