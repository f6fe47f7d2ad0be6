import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { ajvErrors, hasPythonJsonschema, pythonErrors } from '../helpers/fitconnect-metadata-validators.js';
import { routeLeipzigToSimulator } from '../helpers/fitconnect.js';
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
const dresden = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
/** The key the simulated destination publishes beside its first one, as in every rotation. */
const secondKey = { ...fixtureJwk('gateway-escrow-2'), kid: 'simulated-destination-enc-2' };
const destinationId = 'leipzig-fitconnect';
let sim: FitConnectSimulator;
let config: ConfigCopy;
let gateway: GatewayProcess;
let portal: TestReceiver;
/** Holds the gateway key copies and the data dir. */
let fixtureKeys: FixtureKeys;
const workDir = mkdtempSync(join(tmpdir(), 'amtsbote-fitconnect-'));
const env = () => ({
  AMTSBOTE_CONFIG: config.configFile,
  AMTSBOTE_DATA_DIR: join(workDir, 'data'),
  FITCONNECT_CLIENT_SECRET: sim.clientSecret,
});

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
  fixtureKeys = copyFixtureKeys();
  config = copyConfig({
    delivery: { pollMs: 50 },
    keys: fixtureKeys.keys,
  });
  // No submissionSchemaUri: the gateway names the schema the destination offers (issue 22 item 2).
  routeLeipzigToSimulator(config, sim, destinationId, [], { submissionSchemaUri: undefined });
  // Two encryption keys in the destination's set and no kid pinned anywhere: the destination's encryptionKid decides.
  sim.addEncryptionKey(secondKey);
  gateway = await spawnGateway(env());
});
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  await (portal as TestReceiver | undefined)?.close();
  await (sim as FitConnectSimulator | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(workDir, { recursive: true, force: true });
  (fixtureKeys as FixtureKeys | undefined)?.remove();
});

const statusOf = async (submissionId: string) =>
  (await getJson(gateway.url, `/v1/submissions/${submissionId}`)).body as {
    status: string;
    destinations: {
      destinationId: string;
      status: string;
      messageId: string;
      fitConnect?: { submissionId: string; caseId: string };
    }[];
  };

/** Reference → the `kid` in the JWE header of every part the simulator received for it (one kid, or a mix). */
const opened = new Map<string, { reference: string; kid: string }>();
async function sealedKids(): Promise<Map<string, string>> {
  for (const s of sim.submissions.values()) {
    if (s.state === 'incomplete' || opened.has(s.submissionId) || !s.encryptedMetadata || !s.encryptedData) continue;
    const kidsOf = [s.encryptedMetadata, s.encryptedData, ...s.attachments.values()].map(
      (jwe) => (JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid,
    );
    const metadata = (await sim.subscriber.open(s.submissionId)).metadata as {
      additionalReferenceInfo?: { senderReference?: string };
    };
    opened.set(s.submissionId, {
      reference: metadata.additionalReferenceInfo?.senderReference ?? '',
      kid: new Set(kidsOf).size === 1 ? kidsOf[0]! : `mixed: ${kidsOf.join(',')}`,
    });
  }
  return new Map([...opened.values()].map((o) => [o.reference, o.kid]));
}

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
    const delivered = await until(
      () => statusOf(submissionId),
      (s) => s.status === 'delivered',
    );
    expect(delivered.status).toBe('delivered');

    // Issue 22 item 6: the ids the delivery service assigned, as the simulator knows them, are what the portal's
    // status, the admin API and the event log show, so that an operator can quote them to FITKO's support.
    const atFitConnect = { submissionId: submitted!.submissionId, caseId: submitted!.caseId };
    expect(delivered.destinations[0]!.fitConnect).toEqual(atFitConnect);
    // …and the OpenAPI document describes them: the live status validates against it (a second validator).
    const openapi = (await getJson(gateway.url, '/v1/openapi.json')).body as { components: object };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi', components: openapi.components });
    const validateStatus = ajv.getSchema('openapi#/components/schemas/SubmissionStatus')!;
    expect(validateStatus(delivered), JSON.stringify(validateStatus.errors)).toBe(true);
    const messageId = delivered.destinations[0]!.messageId;
    const adminView = await adminCall(gateway.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer);
    expect(adminView.status).toBe(200);
    expect(adminView.body.fitConnect).toEqual(atFitConnect);
    const deliveredEvent = (
      (await getJson(gateway.url, `/v1/submissions/${submissionId}/events`)).body.events as {
        type: string;
        data: { state?: string; fitConnect?: unknown };
      }[]
    ).find((e) => e.type === 'delivery' && e.data.state === 'delivered');
    expect(deliveredEvent?.data.fitConnect).toEqual(atFitConnect);

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

  it("carries FIT-Connect's paymentInformation and the authentication into the metadata, valid for ajv and python-jsonschema", async () => {
    const payment = {
      transactionId: 'TX-2026-1125-0042',
      transactionReference: 'Kassenzeichen 5.0147.000042.3',
      transactionUrl: 'https://payment.sachsen.example/api/v1/paymenttransaction/TX-2026-1125-0042',
      transactionTimestamp: '2026-11-25T10:41:07+01:00',
      paymentMethod: 'PAYDIRECT',
      paymentMethodDetail: 'Sparkasse',
      status: 'BOOKED',
      grossAmount: 26.5,
    };
    const authentication = { method: 'elster', levelOfAssurance: 'substantial' };
    const accepted = await postJson(gateway.url, '/v1/submissions', {
      ...gmbh.envelope,
      reference: 'FIT-E2E-PAYMENT',
      authentication,
      payment,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const opened = await until(
      async () => {
        for (const s of sim.submissions.values()) {
          if (s.state !== 'submitted' && s.state !== 'accepted') continue;
          const o = await sim.subscriber.open(s.submissionId);
          if (
            (o.metadata.additionalReferenceInfo as { senderReference?: string }).senderReference === 'FIT-E2E-PAYMENT'
          )
            return o;
        }
        return undefined;
      },
      (o) => o !== undefined,
    );
    const metadata = opened!.metadata;
    expect(metadata.paymentInformation).toEqual(payment);
    expect(metadata.dataSets).toEqual([
      expect.objectContaining({
        schema: {
          schemaUri: 'https://amtsbote.dev/schemas/fit-connect/authentication/1.json',
          mimeType: 'application/json',
        },
        content: authentication,
      }),
    ]);
    expect(ajvErrors(metadata)).toBeUndefined();
    if (hasPythonJsonschema) expect(pythonErrors([metadata])).toEqual([[]]);
    // Both validators see the published schema's rules: a payment FIT-Connect refuses fails with each.
    const refused = { ...metadata, paymentInformation: { ...payment, paymentMethod: 'giropay' } };
    expect(ajvErrors(refused)).toContain('paymentMethod');
    if (hasPythonJsonschema) expect(pythonErrors([refused])[0]).toEqual([expect.stringContaining('paymentMethod')]);
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

  it("ends the delivery rejected on the delivery service's own reject with set-payload 1.1.0 and claims it does not know", async () => {
    const accepted = await postJson(gateway.url, '/v1/submissions', {
      ...gmbh.envelope,
      reference: 'FIT-E2E-REJECT-110',
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const submissionId = accepted.body.submissionId as string;
    const delivered = await until(
      () => statusOf(submissionId),
      (s) => s.status === 'delivered' && s.destinations[0]?.fitConnect !== undefined,
    );
    const atFitConnect = delivered.destinations[0]!.fitConnect as { submissionId: string };
    // As under the 14-day rule, with a set-payload version other than 1.0.x and 1.2.2 and RFC 8417's toe/aud.
    await sim.deliveryService.reject(
      atFitConnect.submissionId,
      [
        {
          type: 'https://schema.fitko.de/fit-connect/events/problems/submission-not-retrieved',
          title: 'not retrieved',
          detail: 'not picked up in time',
          instance: 'submission',
        },
      ],
      {
        schema: 'https://schema.fitko.de/fit-connect/set-payload/1.1.0/set-payload.schema.json',
        extraClaims: { toe: Math.floor(Date.now() / 1000), aud: 'https://sender.example' },
      },
    );
    expect(
      (
        await until(
          () => statusOf(submissionId),
          (s) => s.status === 'rejected',
        )
      ).status,
    ).toBe('rejected');
  });

  it(
    "starts although a FIT-Connect destination's keys cannot be had (credentials refused): its submissions get 503, the others are taken, the secret is never logged",
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
        const refused = await postJson(other.url, '/v1/submissions', { ...gmbh.envelope, reference: 'FIT-E2E-TOKEN' });
        expect(refused.status, JSON.stringify(refused.body)).toBe(503);
        expect(refused.type).toContain('application/problem+json');
        expect(refused.body).toMatchObject({
          type: 'https://amtsbote.dev/problems/unavailable',
          destinationId,
          // The portal learns when to send it again (the OpenAPI document promises Retry-After with every 503).
          retryAfter: expect.any(Number) as unknown,
        });
        const others = await postJson(other.url, '/v1/submissions', {
          ...dresden.envelope,
          reference: 'FIT-E2E-OTHER',
        });
        expect(others.status, JSON.stringify(others.body)).toBe(202);
        const view = await adminCall(other.url, 'GET', '/destinations', adminTokens.viewer);
        const shown = (
          view.body.destinations as { id: string; health: string; keys: { encryption: { problem?: string } } }[]
        ).find((d) => d.id === destinationId);
        expect(shown?.health).toBe('key-unavailable');
        expect(shown?.keys.encryption.problem).toContain('fitconnect-token-refused');
        expect(sim.submissions.size).toBe(before);
        expect(other.output()).not.toContain(wrongSecret);
      } finally {
        await other.stop();
        rmSync(otherDataDir, { recursive: true, force: true });
      }
    },
    3 * processBoundMs,
  ); // a start, a wait and a stop, each bounded on its own

  it('follows a key rotation: submissions before, during and after the switch of encryptionKid are all taken, each sealed to the key the destination named', async () => {
    const firstKid = sim.encryptionKid();
    const post = async (reference: string) => {
      const answer = await postJson(gateway.url, '/v1/submissions', { ...gmbh.envelope, reference });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    };
    const shownKid = async () => {
      const view = await adminCall(gateway.url, 'GET', '/destinations', adminTokens.viewer);
      return (view.body.destinations as { id: string; keys: { encryption: { kid?: string } } }[]).find(
        (d) => d.id === destinationId,
      )?.keys.encryption.kid;
    };
    for (const n of [1, 2]) await post(`FIT-ROT-BEFORE-${n}`);
    sim.setEncryptionKid(secondKey.kid);
    for (const n of [1, 2]) await post(`FIT-ROT-DURING-${n}`);
    // the gateway reads the destination again within destinationRefreshSeconds (1 s here)
    expect(await pollValue(shownKid, (kid) => kid === secondKey.kid)).toBe(secondKey.kid);
    for (const n of [1, 2]) await post(`FIT-ROT-AFTER-${n}`);

    const kids = await until(sealedKids, (k) => [...k.keys()].filter((r) => r.startsWith('FIT-ROT-')).length === 6);
    const kidOf = (reference: string) => kids.get(reference);
    expect([kidOf('FIT-ROT-BEFORE-1'), kidOf('FIT-ROT-BEFORE-2')]).toEqual([firstKid, firstKid]);
    // sent while the gateway's cached info may still name the first key: either key of the set, never a refusal
    for (const reference of ['FIT-ROT-DURING-1', 'FIT-ROT-DURING-2'])
      expect([firstKid, secondKey.kid]).toContain(kidOf(reference));
    expect([kidOf('FIT-ROT-AFTER-1'), kidOf('FIT-ROT-AFTER-2')]).toEqual([secondKey.kid, secondKey.kid]);
  });

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
