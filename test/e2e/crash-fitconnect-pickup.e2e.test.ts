import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFitConnectSimulator,
  type AddedDestination,
  type FitConnectSimulator,
} from '../fixtures/fitconnect-simulator/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { gewerbeanmeldungSchema, leipzigSubscriberSettings, manifestsIn } from '../helpers/fitconnect-subscriber.js';
import { adminCall, adminTokens } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue, processBoundMs } from '../helpers/wait.js';

/**
 * Issue 23, item 5: the gateway dies (SIGKILL, injected by AMTSBOTE_CRASH_AT=fitconnect-after-commit) after the
 * onward submission is committed and before the accept is posted. The next start picks the submission up again:
 * the FIT-Connect submission id as idempotency key finds the committed case, no second one is made, and the accept
 * is posted then — once.
 */
const example = join(projectRoot, 'examples/fitconnect/gewerbeanmeldung-leipzig-xml');
const accept = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fc-crash-'));
const dataDir = join(workDir, 'data');
let sim: FitConnectSimulator;
let destination: AddedDestination;
let client: { clientId: string; clientSecret: string };
let config: ConfigCopy;
let fixtureKeys: FixtureKeys;
let gateway: GatewayProcess | undefined;
const env = (extra: Record<string, string> = {}) => ({
  AMTSBOTE_CONFIG: config.configFile,
  AMTSBOTE_DATA_DIR: dataDir,
  FC_SUBSCRIBER_SECRET: client.clientSecret,
  FC_CALLBACK_SECRET: 'unused-callback-secret',
  ...extra,
});

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  client = sim.addClient();
  destination = sim.addDestination({ subscribers: [client.clientId] });
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: fixtureKeys.keys,
    settings: leipzigSubscriberSettings(sim, client, destination, workDir),
  });
});
afterAll(async () => {
  await gateway?.stop();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  (fixtureKeys as FixtureKeys | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
});

describe('a crash between the commit and the accept of a picked-up FIT-Connect submission', () => {
  it('ends, after a restart, with one case and one accept', async () => {
    const sent = await sim.sendAsOnlineService(destination.destinationId, {
      data: { content: readFileSync(join(example, 'data.xml')), ...gewerbeanmeldungSchema },
    });
    const crashing = await spawnGateway(env({ AMTSBOTE_CRASH_AT: 'fitconnect-after-commit' }));
    gateway = crashing;
    // the first pick-up commits the case, then the process kills itself before posting the accept
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const timer = setTimeout(() => {
        resolve({ code: null, signal: null });
      }, processBoundMs);
      crashing.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    expect(exit.signal, crashing.output().slice(-2000)).toBe('SIGKILL');
    expect(sim.submissionState(sent.submissionId)).toBe('submitted');
    expect(sim.eventLogClaims(sent.caseId).filter((e) => accept in (e.claims.events as object))).toHaveLength(0);

    gateway = await spawnGateway(env());
    const url = gateway.url;
    const entry = await pollValue(
      async () =>
        (
          (await adminCall(url, 'GET', '/inbound', adminTokens.editor)).body as {
            inbound: { fitConnect: { submissionId: string }; state: string; submissionId?: string }[];
          }
        ).inbound.find((e) => e.fitConnect.submissionId === sent.submissionId),
      (e) => e?.state === 'accepted',
    );
    expect(entry).toMatchObject({ state: 'accepted' });
    expect(sim.submissionState(sent.submissionId)).toBe('accepted');
    expect(sim.eventLogClaims(sent.caseId).filter((e) => accept in (e.claims.events as object))).toHaveLength(1);

    // one case: the trade office's drop holds one message, of the onward submission the inbound entry names
    const drop = join(dataDir, 'outbox', 'leipzig-gewerbeamt');
    const manifests = await pollValue(
      () => manifestsIn(drop),
      (found) => found.length > 0,
    );
    expect(manifests).toHaveLength(1);
    const deliveries = (await adminCall(url, 'GET', '/deliveries?destination=leipzig-gewerbeamt', adminTokens.editor))
      .body as { deliveries?: { submissionId: string }[] };
    expect(new Set((deliveries.deliveries ?? []).map((d) => d.submissionId))).toEqual(new Set([entry?.submissionId]));
  });
});
