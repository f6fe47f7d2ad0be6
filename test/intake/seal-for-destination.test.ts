import { createHash, createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactDecrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientKeyResolver, startSealing } from '../../src/gateway/seal-setup.js';
import { rerouteFromEscrow } from '../../src/intake/reroute-from-escrow.js';
import { createLogger } from '../../src/lib/logger.js';
import { version } from '../../src/lib/version.js';
import { openSealedMessage } from '../../src/receiver/index.js';
import { AUTHENTICATION_DATA_SET_SCHEMA, fitConnectContainerSchema } from '../../src/seal/index.js';
import { loadXoev } from '../../src/xoev/index.js';
import { loadExamples } from '../helpers/examples.js';
import { secretEnv } from '../helpers/fitconnect.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { editRouting } from '../helpers/routing-edit.js';

/**
 * Intake and the re-seal path (replay with reroute, deferred fan-out) seal through one step: a message sealed
 * again from the escrow copy must carry the metadata intake wrote, field by field, except its ids and times.
 * Both seal at the same instant here, so the data (whose XÖV header carries the creation time) and its hash
 * must be equal too.
 */
const fixedNow = new Date('2026-11-25T09:30:00.123Z');
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const examples = loadExamples();
const envelopeOf = (file: string) => structuredClone(examples.find((e) => e.file === file)!.envelope);
const demoDir = join(projectRoot, 'config/demo');
const demoEncryptionKeys = readdirSync(demoDir)
  .filter((f) => f.endsWith('.encryption.private-jwk.DEVELOPMENT-ONLY.json'))
  .map((f) => JSON.parse(readFileSync(join(demoDir, f), 'utf8')) as Record<string, unknown>);

let gw: TestGateway;
/** The demo private key of a destination's (inline) public encryption key: several destinations share one. */
function privateJwk(destinationId: string): Record<string, unknown> {
  const source = gw.routing.current().routing.destinations.find((d) => d.id === destinationId)!.encryptionKey;
  const key = source && 'jwk' in source ? demoEncryptionKeys.find((k) => k.n === source.jwk.n) : undefined;
  if (!key) throw new Error(`no demo private key for ${destinationId}`);
  return key;
}
let xoev: ReturnType<typeof loadXoev>;
beforeAll(async () => {
  process.env[secretEnv] = 'not-used-nothing-is-delivered';
  gw = await startTestGateway({ clock: () => fixedNow, newId, env: {} });
  xoev = loadXoev(gw.config.paths);
});
afterAll(async () => {
  xoev.close();
  await gw.stop();
  Reflect.deleteProperty(process.env, secretEnv);
});

/** Posts the envelope and returns, per destination, the body intake stored and the body the re-seal path makes. */
async function sealedTwice(
  envelope: Record<string, unknown>,
): Promise<{ destinationId: string; atIntake: string; fromEscrow: string }[]> {
  const accepted = await postJson(gw.url, '/v1/submissions', envelope);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const stored = [];
  for (const { destinationId, messageId } of accepted.body.destinations as {
    destinationId: string;
    messageId: string;
  }[]) {
    stored.push({ destinationId, messageId, atIntake: (await gw.store.getSealedMessage(messageId))!.body });
  }
  // The re-seal path as the CLI's `dlq replay --reroute` builds it: the gateway's keys, loaded from its data dir.
  const logger = createLogger({ level: 'warn' });
  const sealing = await startSealing(
    gw.config,
    gw.store,
    await recipientKeyResolver(gw.config, logger),
    logger,
    () => fixedNow,
  );
  sealing.stop();
  const reroute = rerouteFromEscrow({
    store: gw.store,
    sealing,
    clock: () => fixedNow,
    config: gw.config,
    xoev,
    productVersion: version,
  });
  const destinations = gw.routing.current().routing.destinations;
  const twice = [];
  for (const { destinationId, messageId, atIntake } of stored) {
    const [delivery] = await gw.store.listDeliveries({ ids: [messageId], limit: 1 });
    const resealed = await reroute(
      delivery!,
      destinations.find((d) => d.id === destinationId)!,
    );
    twice.push({ destinationId, atIntake, fromEscrow: resealed.body });
  }
  return twice;
}

/** The signed metadata of an `amtsbote-sealed/1` message, decrypted and verified with the receiver kit. */
async function sealedMetadata(body: string, destinationId: string): Promise<Record<string, unknown>> {
  const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
  const opened = await openSealedMessage(body, {
    recipientKeys: [privateJwk(destinationId)],
    gatewayJwks: jwks,
    expectedDestinationId: destinationId,
  });
  return opened.metadata;
}

/** A FIT-Connect message's metadata, decrypted with the destination's key, and the container's clear fields. */
async function fitConnectMetadata(body: string, destinationId: string): Promise<Record<string, unknown>> {
  const { encryptedMetadata, encryptedData, attachments, ...clear } = fitConnectContainerSchema.parse(JSON.parse(body));
  const { plaintext } = await compactDecrypt(
    encryptedMetadata,
    createPrivateKey({ key: privateJwk(destinationId), format: 'jwk' }),
  );
  return {
    container: { ...clear, attachmentCount: attachments.length, encryptedData: encryptedData ? 'a JWE' : 'empty' },
    metadata: JSON.parse(Buffer.from(plaintext).toString('utf8')) as Record<string, unknown>,
  };
}

/** Drops what may differ between two sealings of one submission: message, attachment and data set ids, times. */
function withoutIdsAndTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIdsAndTimes);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !['messageId', 'createdAt', 'attachmentId', 'dataSetId'].includes(k))
      .map(([k, v]) => [k, withoutIdsAndTimes(v)]),
  );
}

const authentication = { method: 'eid', levelOfAssurance: 'high' };
const payment = {
  transactionId: 'TX-2026-1125-0007',
  transactionReference: 'Kassenzeichen 5.0147.000007.1',
  paymentMethod: 'PAYPAL',
  status: 'BOOKED',
  grossAmount: 40,
};

describe('one seal step for intake and the escrow copy', () => {
  it.each([
    ['an XÖV message with an attachment (GewAnzV, every destination of the Leipzig GmbH)', 'leipzig-gmbh.json'],
    ['a service delivered as JSON data (Bewohnerparkausweis)', 'dresden-neustadt.json'],
  ])('amtsbote-sealed/1: %s carries the same signed metadata sealed again from escrow', async (_label, file) => {
    const twice = await sealedTwice(envelopeOf(file));
    expect(twice.length).toBeGreaterThan(0);
    for (const { destinationId, atIntake, fromEscrow } of twice) {
      const intake = await sealedMetadata(atIntake, destinationId);
      const again = await sealedMetadata(fromEscrow, destinationId);
      // The names are in both: re-sealed messages used to lose them.
      expect(again.service, destinationId).toEqual(intake.service);
      expect(again.region, destinationId).toEqual(intake.region);
      expect(intake.region, destinationId).toHaveProperty('name');
      expect(withoutIdsAndTimes(again), destinationId).toEqual(withoutIdsAndTimes(intake));
      // How the applicant was identified and the payment travel signed, from intake and from the escrow copy.
      const envelope = envelopeOf(file) as { authentication?: unknown; payment?: unknown };
      expect(again.authentication, destinationId).toEqual(envelope.authentication);
      expect(again.paymentInformation, destinationId).toEqual(envelope.payment);
    }
  });

  it('FIT-Connect: a GewAnzV message with an attachment carries the same metadata sealed again from escrow', async () => {
    await editRouting(
      gw.url,
      (r) => {
        const d = r.destinations.find((x) => x.id === 'leipzig-gewerbeamt')!;
        d.sealing = 'fitconnect';
        // Nothing listens there: this test reads the sealed messages, not what a delivery service receives.
        d.adapter = {
          kind: 'fitconnect',
          tokenUrl: 'http://127.0.0.1:9/token',
          submissionApiUrl: 'http://127.0.0.1:9/submission-api',
          clientId: 'amtsbote-test',
          clientSecret: `env:${secretEnv}`,
          destinationId: '5a3e5b0e-6b1a-4c5e-9d9f-2f4e1c0b7a61',
          submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
          // the demo's inline keys are self-made, without a chain to the administration PKI
          keyCertificateChain: 'off',
        } as typeof d.adapter;
      },
      'Leipzig: Gewerbeamt über FIT-Connect',
    );
    const envelope = { ...envelopeOf('leipzig-gmbh.json'), authentication, payment };
    const twice = await sealedTwice(envelope);
    const fit = twice.find((t) => t.destinationId === 'leipzig-gewerbeamt')!;
    const intake = await fitConnectMetadata(fit.atIntake, fit.destinationId);
    const again = await fitConnectMetadata(fit.fromEscrow, fit.destinationId);
    expect(intake).toMatchObject({
      container: { attachmentCount: 1, encryptedData: 'a JWE' },
      metadata: {
        paymentInformation: payment,
        dataSets: [{ schema: { schemaUri: AUTHENTICATION_DATA_SET_SCHEMA }, content: authentication }],
      },
    });
    expect(withoutIdsAndTimes(again)).toEqual(withoutIdsAndTimes(intake));
  });

  it("FIT-Connect: data above the destination's dataAttachmentAboveBytes go as a purpose data attachment, from intake and from escrow", async () => {
    await editRouting(
      gw.url,
      (r) => {
        const d = r.destinations.find((x) => x.id === 'leipzig-gewerbeamt')!;
        (d.adapter as { dataAttachmentAboveBytes?: number }).dataAttachmentAboveBytes = 1000;
      },
      'Leipzig: data over 1000 bytes as an attachment',
    );
    const twice = await sealedTwice(envelopeOf('leipzig-gmbh.json'));
    const fit = twice.find((t) => t.destinationId === 'leipzig-gewerbeamt')!;
    for (const body of [fit.atIntake, fit.fromEscrow]) {
      const { metadata, container } = (await fitConnectMetadata(body, fit.destinationId)) as {
        container: { attachmentCount: number; encryptedData: string };
        metadata: { contentStructure: { data: { hash: { content: string } }; attachments: { purpose: string }[] } };
      };
      expect(container).toMatchObject({ attachmentCount: 2, encryptedData: 'empty' });
      expect(metadata.contentStructure.attachments.map((a) => a.purpose)).toEqual(['attachment', 'data']);
      expect(metadata.contentStructure.data.hash.content).toBe(createHash('sha512').digest('hex'));
    }
  });
});
