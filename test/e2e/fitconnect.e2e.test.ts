import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, getJson, postJson } from '../helpers/http.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { runCliAsync, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { fixtureJwk } from '../seal/fixtures.js';
import { pollValue, processBoundMs } from '../helpers/wait.js';

/**
 * The FIT-Connect chain between real processes: a gateway whose routing sends Leipzig's Gewerbeanmeldungen
 * to a FIT-Connect destination of the simulated delivery service (started in this process).
 */
const gmbh = loadExamples().find((e) => e.file === 'leipzig-gmbh.json')!;
const destinationId = 'leipzig-fitconnect';
let sim: FitConnectSimulator;
let config: ConfigCopy;
let gateway: GatewayProcess;
let portal: TestReceiver;
/** Holds the gateway key copies and the data dir. */
const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fitconnect-'));
const env = () => ({
  AMTSBOTE_CONFIG: config.configFile,
  AMTSBOTE_DATA_DIR: join(workDir, 'data'),
  FITCONNECT_CLIENT_SECRET: sim.clientSecret,
});

/** Adds the FIT-Connect destination to the copied routing and routes Leipzig's Gewerbeanmeldung to it. */
function routeToSimulator(copy: ConfigCopy) {
  const file = join(copy.dir, 'routing.yaml');
  const routing = parseDocument(readFileSync(file, 'utf8'));
  const destination = {
    id: destinationId,
    name: 'Stadt Leipzig, Gewerbebehörde über FIT-Connect (simuliert)',
    adapter: {
      kind: 'fitconnect',
      tokenUrl: sim.tokenUrl,
      submissionApiUrl: sim.submissionApiUrl,
      clientId: sim.clientId,
      clientSecret: 'env:FITCONNECT_CLIENT_SECRET',
      destinationId: sim.destinationId,
      // No submissionSchemaUri: the gateway names the schema the destination offers (issue 22 item 2).
      pollSeconds: 1,
      destinationRefreshSeconds: 1,
    },
    sealing: 'fitconnect',
    encryptionKey: { jwksUrl: sim.keysUrl, refreshSeconds: 1 },
    receiptKey: { jwksUrl: sim.keysUrl },
    standard: { name: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300' },
    leser: {
      praefix: 'MELDID',
      kennung: '14713000',
      kennungListUri: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags',
      name: 'Stadt Leipzig, Ordnungsamt, Gewerbebehörde',
    },
    retry: { initialDelaySeconds: 0.2, maxDelaySeconds: 1, maxAttempts: 50 },
  };
  routing.addIn(['destinations'], routing.createNode(destination));
  const rules = routing.toJS() as { rules: { service: string; region: string }[] };
  const index = rules.rules.findIndex((r) => r.service === '99050012104000' && r.region === '147130000000');
  routing.setIn(['rules', index, 'destinations'], routing.createNode([destinationId], { flow: true }));
  writeFileSync(file, routing.toString());
}

/** Sets `submissionSchemaUri` on the FIT-Connect destination of the copied routing.yaml. */
function configureSchemaUri(copy: ConfigCopy, uri: string) {
  const file = join(copy.dir, 'routing.yaml');
  const routing = parseDocument(readFileSync(file, 'utf8'));
  const index = (routing.toJS() as { destinations: { id: string }[] }).destinations.findIndex(
    (d) => d.id === destinationId,
  );
  routing.setIn(['destinations', index, 'adapter', 'submissionSchemaUri'], uri);
  writeFileSync(file, routing.toString());
}

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  portal = await startReceiver();
  // The test fixtures' gateway keys (owner-only copies): no RSA-4096 generation per gateway start.
  const keyFile = (name: string) => {
    const file = join(workDir, `${name}.private-jwk.json`);
    copyFileSync(join(projectRoot, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
    chmodSync(file, 0o600);
    return file;
  };
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: { signing: keyFile('gateway-signing-1'), escrow: keyFile('gateway-escrow-1') },
  });
  routeToSimulator(config);
  gateway = await spawnGateway(env());
});
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  await (portal as TestReceiver | undefined)?.close();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
});

const statusOf = async (submissionId: string) =>
  (await getJson(gateway.url, `/v1/submissions/${submissionId}`)).body as {
    status: string;
    destinations: { destinationId: string; status: string; messageId: string }[];
  };

/** Polls (bounded by count and, generously, by time) until `check` holds; returns the last value either way. */
const until = <T>(probe: () => Promise<T> | T, check: (value: T) => boolean): Promise<T> => pollValue(probe, check);

describe('FIT-Connect destination, end to end', () => {
  it("submits, uploads and submits at the delivery service; the subscriber's accept reaches the portal as status and callback", async () => {
    const accepted = await postJson(gateway.url, '/v1/submissions', {
      ...gmbh.envelope,
      reference: 'FIT-E2E-1',
      callbackUrl: `${portal.url}/status`,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const submissionId = accepted.body.submissionId as string;
    expect((accepted.body.destinations as { destinationId: string }[]).map((d) => d.destinationId)).toEqual([
      destinationId,
    ]);

    const submitted = await until(
      () => [...sim.submissions.values()].find((s) => s.state === 'submitted'),
      (s) => s !== undefined,
    );
    expect(submitted?.publicService.identifier).toBe('urn:de:fim:leika:leistung:99050012104000');
    expect(submitted?.announcedAttachments).toHaveLength(1);
    const opened = await sim.subscriber.open(submitted!.submissionId);
    expect(opened.dataCty).toBe('application/xml');
    expect(opened.data).toContain('alg.gewerbemeldung.0300');
    const attachment = (gmbh.envelope as unknown as { attachments: { content: string }[] }).attachments[0]!;
    expect([...opened.attachments.values()][0]?.content).toEqual(Buffer.from(attachment.content, 'base64'));
    expect(opened.metadata).toMatchObject({
      $schema: 'https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json',
      additionalReferenceInfo: { senderReference: 'FIT-E2E-1' },
      // The schema the simulated destination offers for XGewerbeanzeige 2.2, not the gateway's own default URI.
      contentStructure: {
        data: {
          submissionSchema: { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/xml' },
        },
      },
    });
    expect(
      (
        await until(
          () => statusOf(submissionId),
          (s) => s.status === 'delivered',
        )
      ).status,
    ).toBe('delivered');

    expect(await sim.subscriber.accept(submitted!.submissionId)).toBe(204);
    expect(
      (
        await until(
          () => statusOf(submissionId),
          (s) => s.status === 'accepted',
        )
      ).status,
    ).toBe('accepted');
    const events = await getJson(gateway.url, `/v1/submissions/${submissionId}/events`);
    const receipt = (events.body.events as { data: { state?: string; receipt?: string } }[]).find(
      (e) => e.data.state === 'accepted',
    );
    expect(receipt?.data.receipt).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const verified = await runCliAsync(['events', 'verify', submissionId], env());
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('chain intact, 1 receipt signature(s) valid');

    const secret = readFileSync(join(projectRoot, 'config/demo/amt24-callback.secret.DEVELOPMENT-ONLY'), 'utf8').trim();
    const statuses = () =>
      portal.received.map(
        (r) =>
          new Webhook(secret).verify(r.body, {
            'webhook-id': String(r.headers['webhook-id']),
            'webhook-timestamp': String(r.headers['webhook-timestamp']),
            'webhook-signature': String(r.headers['webhook-signature']),
          }) as { status: string; submissionId: string },
      );
    const callbacks = await until(statuses, (c) => c.some((x) => x.status === 'accepted'));
    expect(callbacks.filter((c) => c.submissionId === submissionId).map((c) => c.status)).toContain('accepted');
  });

  it('keeps the delivery pending while the destination is inactive, and delivers once it is active again', async () => {
    sim.setDestinationStatus('inactive');
    const accepted = await postJson(gateway.url, '/v1/submissions', {
      ...gmbh.envelope,
      reference: 'FIT-E2E-INACTIVE',
    });
    expect(accepted.status).toBe(202);
    const messageId = (accepted.body.destinations as { messageId: string }[])[0]!.messageId;
    const waiting = await until(
      () => adminCall(gateway.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer),
      (r) => JSON.stringify(r.body).includes('fitconnect-destination-inactive'),
    );
    expect(JSON.stringify(waiting.body)).toContain('fitconnect-destination-inactive');
    expect((await statusOf(accepted.body.submissionId as string)).status).toBe('pending');
    sim.setDestinationStatus('active');
    expect(
      (
        await until(
          () => statusOf(accepted.body.submissionId as string),
          (s) => s.status === 'delivered',
        )
      ).status,
    ).toBe('delivered');
  });

  it(
    'keeps the message pending when the token endpoint refuses the credentials, and never logs the secret',
    async () => {
      const otherDataDir = mkdtempSync(join(tmpdir(), 'amtsbote-fitconnect-token-'));
      const wrongSecret = 'e2e-wrong-client-secret-4711';
      // This gateway never reads the destination (its token is refused): with a configured schema, intake seals
      // with it and delivery waits; without one, intake would answer 503 (which schema to name is not known). Its
      // empty store is seeded from routing.yaml; the running gateway's store keeps the routing it has.
      configureSchemaUri(config, 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2');
      const other = await spawnGateway({
        ...env(),
        AMTSBOTE_DATA_DIR: otherDataDir,
        FITCONNECT_CLIENT_SECRET: wrongSecret,
      });
      try {
        const before = sim.submissions.size;
        const accepted = await postJson(other.url, '/v1/submissions', { ...gmbh.envelope, reference: 'FIT-E2E-TOKEN' });
        expect(accepted.status).toBe(202);
        const messageId = (accepted.body.destinations as { messageId: string }[])[0]!.messageId;
        const waiting = await until(
          () => adminCall(other.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer),
          (r) => JSON.stringify(r.body).includes('fitconnect-token-refused'),
        );
        expect(JSON.stringify(waiting.body)).toContain('fitconnect-token-refused');
        expect((await getJson(other.url, `/v1/submissions/${accepted.body.submissionId as string}`)).body.status).toBe(
          'pending',
        );
        expect(sim.submissions.size).toBe(before);
        expect(other.output()).not.toContain(wrongSecret);
      } finally {
        await other.stop();
        rmSync(otherDataDir, { recursive: true, force: true });
      }
    },
    3 * processBoundMs,
  ); // a start, a wait and a stop, each bounded on its own

  it('refuses at intake with destination-does-not-accept, and shows misconfigured, while the destination does not offer the service', async () => {
    type Destinations = {
      destinations: { id: string; health: string; offer?: { state: string; problems?: { detail: string }[] } }[];
    };
    const ours = async () =>
      (
        (await adminCall(gateway.url, 'GET', '/destinations', adminTokens.viewer)).body as Destinations
      ).destinations.find((d) => d.id === destinationId);
    expect((await ours())?.offer?.state).toBe('accepted');
    const before = sim.submissions.size;
    sim.setOffer({
      publicServices: [
        {
          identifier: 'urn:de:fim:leika:leistung:99050012999002',
          submissionSchemas: [
            { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/xml' },
          ],
        },
      ],
      metadataVersions: ['2.1.0'],
    });
    try {
      // The gateway reads the destination again in the background once its description is a second old.
      const shown = await until(ours, (d) => d?.health === 'misconfigured');
      expect(shown?.health).toBe('misconfigured');
      expect(shown?.offer?.problems?.[0]?.detail).toBe(
        'it does not offer the service urn:de:fim:leika:leistung:99050012104000 (it offers: urn:de:fim:leika:leistung:99050012999002)',
      );
      const refused = await postJson(gateway.url, '/v1/submissions', { ...gmbh.envelope, reference: 'FIT-E2E-OFFER' });
      expect(refused.status).toBe(422);
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body).toMatchObject({
        type: 'https://amtsbote.dev/problems/destination-does-not-accept',
        destinationId,
        reasons: ['service-not-offered'],
      });
      expect(refused.body.detail).toContain('does not offer the service urn:de:fim:leika:leistung:99050012104000');
      expect(refused.body.detail).not.toContain('99050012999002');
      expect(sim.submissions.size).toBe(before);
    } finally {
      sim.setOffer();
    }
    expect((await until(ours, (d) => d?.health !== 'misconfigured'))?.offer?.state).toBe('accepted');
  });

  it("answers 422 problem+json at intake once the destination's published key is too short", async () => {
    sim.rotateEncryptionKey({ ...fixtureJwk('weak-2048'), key_ops: ['wrapKey'] });
    // The gateway serves requests from its key cache and refreshes it in the background (every second here).
    const answer = await pollValue(
      () => postJson(gateway.url, '/v1/submissions', { ...gmbh.envelope, reference: 'FIT-E2E-WEAK' }),
      (a) => a.status !== 202,
      undefined,
      200,
    );
    expect(answer.status).toBe(422);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'https://amtsbote.dev/problems/invalid-recipient-key',
      reason: 'modulus-too-small',
      destinationId,
    });
  });
});
