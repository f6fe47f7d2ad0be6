import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
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
import { projectRoot } from '../helpers/paths.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

/**
 * Issue 23 between real processes: the simulated delivery service (in this process) holds a FIT-Connect
 * destination of Leipzig's; the gateway (its own process) subscribes to it, picks submissions up by callback and
 * by polling, checks them, takes them through intake into Leipzig's trade office file drop, and posts its accept
 * or reject into the case's event log.
 */
const gewerbeanmeldung = leipzigGewerbeanmeldung;
const events = 'https://schema.fitko.de/fit-connect/events/';
const callbackSecret = 'leipzig-callback-secret-for-the-test';
const python = ['/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import jwcrypto']).status === 0);

const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fc-subscriber-'));
const dataDir = join(workDir, 'data');
let sim: FitConnectSimulator;
let destination: AddedDestination;
let subscriberClient: { clientId: string; clientSecret: string };
let config: ConfigCopy;
let fixtureKeys: FixtureKeys;
let gateway: GatewayProcess;

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  subscriberClient = sim.addClient();
  destination = sim.addDestination({ subscribers: [subscriberClient.clientId] });
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: fixtureKeys.keys,
    settings: leipzigSubscriberSettings(sim, subscriberClient, destination, workDir),
  });
  gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: dataDir,
    FC_SUBSCRIBER_SECRET: subscriberClient.clientSecret,
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
  deadlines: { reminderAt: string; automaticRejectAt: string };
}
const inbound = async (): Promise<InboundEntry[]> =>
  ((await adminCall(gateway.url, 'GET', '/inbound', adminTokens.editor)).body as { inbound: InboundEntry[] }).inbound;
const entryOf = (submissionId: string) => async () =>
  (await inbound()).find((e) => e.fitConnect.submissionId === submissionId);
const finalState = (e: InboundEntry | undefined) => e?.state === 'accepted' || e?.state === 'rejected';

function readdirIfAny(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Our SET in a case's event log (the one the destination issued). */
function acceptSetOf(caseId: string): string {
  const ours = sim.eventLog(caseId).filter((set) => {
    const claims = JSON.parse(Buffer.from(set.split('.')[1] ?? '', 'base64url').toString()) as { iss?: string };
    return claims.iss === destination.destinationId;
  });
  expect(ours).toHaveLength(1);
  return ours[0]!;
}

/** The python3-jwcrypto check of a SET we posted (verify_subscriber_set.py, fc-sim). */
function verifyWithJwcrypto(set: string, args: string[]): { status: number | null; stderr: string } {
  const setFile = join(workDir, 'set.jws');
  writeFileSync(setFile, set);
  const jwkFile = join(workDir, 'signing.private-jwk.json');
  const script = join(projectRoot, 'test/fixtures/fitconnect-simulator/verify_subscriber_set.py');
  const result = spawnSync(python!, [script, setFile, jwkFile, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('Amtsbote as the subscriber of a FIT-Connect destination, end to end', () => {
  it('takes a Gewerbeanmeldung for Leipzig into the trade office file drop as XGewerbeanzeige 2.2 and accepts it', async () => {
    const sent = await sim.sendAsOnlineService(destination.destinationId, gewerbeanmeldung);
    const entry = await pollValue(entryOf(sent.submissionId), finalState);
    expect(entry, JSON.stringify(entry)).toMatchObject({ state: 'accepted' });
    expect(sim.submissionState(sent.submissionId)).toBe('accepted');

    // the accept in the case's event log, from the destination, with the tags of what was received
    const log = sim.eventLogClaims(sent.caseId);
    const accepts = log.filter((e) => `${events}accept-submission` in (e.claims.events as object));
    expect(accepts).toHaveLength(1);
    expect(accepts[0]?.claims).toMatchObject({
      iss: destination.destinationId,
      sub: `submission:${sent.submissionId}`,
      txn: `case:${sent.caseId}`,
    });
    const stored = sim.submissions.get(sent.submissionId)!;
    const tagOf = (jwe: string) => jwe.split('.')[4];
    const tags = {
      metadata: tagOf(stored.encryptedMetadata!),
      data: tagOf(stored.encryptedData!),
      attachments: Object.fromEntries([...stored.attachments].map(([id, jwe]) => [id, tagOf(jwe)])),
    };
    const accept = accepts[0]!.claims.events as Record<string, { authenticationTags: unknown }>;
    expect(accept[`${events}accept-submission`]?.authenticationTags).toEqual(tags);
    if (python) {
      const acceptSet = acceptSetOf(sent.caseId);
      const tagsFile = join(workDir, 'tags.json');
      writeFileSync(tagsFile, JSON.stringify(tags));
      const pinned = ['--destination', destination.destinationId, '--submission', sent.submissionId];
      expect(
        verifyWithJwcrypto(acceptSet, [...pinned, '--case', sent.caseId, '--event', 'accept', '--tags', tagsFile]),
      ).toEqual({ status: 0, stderr: '' });
    }

    // the onward submission: in Leipzig's trade office file drop, opened with the receiver kit
    const onward = entry!.submissionId!;
    const drop = join(dataDir, 'outbox', 'leipzig-gewerbeamt');
    const files = await pollValue(
      // the documented pick-up rule: a manifest directly in the folder names its complete message
      () =>
        readdirIfAny(drop)
          .filter((name) => name.endsWith('.manifest.json'))
          .map((name) => join(drop, (JSON.parse(readFileSync(join(drop, name), 'utf8')) as { file: string }).file)),
      (found) => found.length > 0,
    );
    const jwks = (await (await testFetch(`${gateway.url}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    const recipientKey = JSON.parse(
      readFileSync(
        join(projectRoot, 'config/demo/leipzig-gewerbeamt.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const opened = await Promise.all(
      files.map((f) =>
        openSealedMessage(readFileSync(f, 'utf8'), { recipientKeys: [recipientKey], gatewayJwks: jwks }),
      ),
    );
    const ours = opened.find((o) => JSON.stringify(o.metadata).includes(onward));
    expect(ours, 'no message of the onward submission in the file drop').toBeDefined();
    const xml = ours!.data.toString('utf8');
    expect(xml).toContain('http://www.xgewerbeanzeige.de/spezifikation/2.2');
    expect(xml).toMatch(/alg\.gewerbemeldung\.0300/);

    // its event log: the delivery service's submit SET and our accept, verbatim
    const detail = await adminCall(gateway.url, 'GET', `/inbound/${sent.submissionId}`, adminTokens.editor);
    const logged = (detail.body as { events: { type: string; data: { set?: string } }[] }).events;
    // The delivery to the file drop runs beside the pick-up, so its events may fall between ours: compare ours.
    const traced = logged.filter((e) => e.type === 'received' || e.type.startsWith('fitconnect-'));
    expect(traced.map((e) => e.type)).toEqual(['received', 'fitconnect-submitted', 'fitconnect-accepted']);
    expect(traced[2]?.data.set).toBe(acceptSetOf(sent.caseId));
    expect(sim.eventLog(sent.caseId)).toContain(traced[1]?.data.set);
  });

  it('rejects a tampered submission with the problem for it, and no case enters the outbox', async () => {
    const sent = await sim.sendAsOnlineService(destination.destinationId, {
      ...gewerbeanmeldung,
      tamper: { dataHash: true },
    });
    const entry = await pollValue(entryOf(sent.submissionId), finalState);
    expect(entry).toMatchObject({ state: 'rejected', reason: 'hash-mismatch' });
    expect(entry?.submissionId).toBeUndefined();
    expect(sim.submissionState(sent.submissionId)).toBe('rejected');
    const rejects = sim
      .eventLogClaims(sent.caseId)
      .filter((e) => `${events}reject-submission` in (e.claims.events as object));
    expect(rejects).toHaveLength(1);
    const payload = (rejects[0]!.claims.events as Record<string, { problems: { type: string; instance: string }[] }>)[
      `${events}reject-submission`
    ];
    expect(payload?.problems[0]?.type).toMatch(/hash-mismatch$/);
    expect(payload?.problems[0]?.instance).toBe('data');
  });

  it('refuses a forged callback with 401 and fetches nothing for it', async () => {
    const before = sim.requests.length;
    const body = JSON.stringify({
      type: 'https://schema.fitko.de/fit-connect/submission-api/callbacks/new-submissions',
      submissions: [],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forged = createHmac('sha512', 'not-the-secret').update(`${timestamp}.${body}`).digest('hex');
    const url = `${gateway.url}/fitconnect/callbacks/${destination.destinationId}`;
    const refused = await testFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'callback-authentication': forged,
        'callback-timestamp': timestamp,
      },
      body,
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    const staleSigned = createHmac('sha512', callbackSecret).update(`${stale}.${body}`).digest('hex');
    const old = await testFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'callback-authentication': staleSigned,
        'callback-timestamp': stale,
      },
      body,
    });
    expect(old.status).toBe(401);
    // nothing of the pick-up list was fetched because of them (polls may run meanwhile: none outside the list)
    const fetchedSince = sim.requests.slice(before).filter((r) => /\/submissions\/[^/]+/.test(r.path));
    expect(fetchedSince).toEqual([]);
  });

  it('keeps a valid case with nowhere to go waiting, visible, and takes it on once routing has a rule for it', async () => {
    // Leipzig's Gewerbeanmeldung rule goes away: the next one has no destination
    const routing = (await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor)) as unknown as {
      body: { version: number; document: { rules: { service: string; region: string }[] } };
    };
    const withoutLeipzig = {
      ...routing.body.document,
      rules: routing.body.document.rules.filter(
        (r) => !(r.service === '99050012104000' && r.region === '147130000000'),
      ),
    };
    const removed = await adminCall(
      gateway.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      {
        document: withoutLeipzig,
        note: 'fc-subscriber e2e: no rule for Leipzig',
      },
      { 'if-match': `"${routing.body.version}"` },
    );
    expect(removed.status, JSON.stringify(removed.body)).toBeLessThan(300);

    const sent = await sim.sendAsOnlineService(destination.destinationId, gewerbeanmeldung);
    const waiting = await pollValue(entryOf(sent.submissionId), (e) => e?.state === 'waiting');
    expect(waiting).toMatchObject({ state: 'waiting', reason: 'unroutable-region' });
    expect(Date.parse(waiting!.deadlines.automaticRejectAt) - Date.parse(waiting!.deadlines.reminderAt)).toBe(
      11 * 86_400_000,
    );
    expect(sim.submissionState(sent.submissionId)).toBe('submitted');

    const current = (await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor)) as unknown as {
      body: { version: number };
    };
    const restored = await adminCall(
      gateway.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      {
        document: routing.body.document,
        note: 'fc-subscriber e2e: Leipzig routed again',
      },
      { 'if-match': `"${current.body.version}"` },
    );
    expect(restored.status, JSON.stringify(restored.body)).toBeLessThan(300);
    const taken = await pollValue(entryOf(sent.submissionId), finalState);
    expect(taken).toMatchObject({ state: 'accepted' });
    expect(sim.submissionState(sent.submissionId)).toBe('accepted');
  });
});
