import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { compactDecrypt, compactVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { sha512 } from '../fixtures/fitconnect-simulator/metadata.js';
import { events, tagOf } from '../fixtures/fitconnect-simulator/rules.js';
import { ajvErrors } from '../helpers/fitconnect-metadata-validators.js';
import { hasReference, referenceDir } from '../helpers/paths.js';
import { fixtureJwk, type Jwk } from '../seal/fixtures.js';

/**
 * The "online service built elsewhere" (issue 23 item 7): what it sends must be what a real sender sends —
 * metadata valid against FIT-Connect's published schema, SHA-512 of the plain bytes, the submit SET's tags — or
 * the subscriber's checks are tested against a fiction. Each tamper option must break exactly its one thing.
 */
let sim: FitConnectSimulator;
let destinationId: string;
const decryptionKey = createPrivateKey({ key: fixtureJwk('recipient-encryption'), format: 'jwk' });
const pdf = Buffer.from('%PDF-1.4 Gewerbeerlaubnis');
const json = { content: '{"name": "Muster"}', mimeType: 'application/json', schemaUri: 'https://example.org/s.json' };

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  destinationId = sim.addDestination().destinationId;
});
afterAll(async () => {
  await sim.close();
});

const open = async (jwe: string, key = decryptionKey) => Buffer.from((await compactDecrypt(jwe, key)).plaintext);
const submitTags = async (caseId: string) => {
  const jwks = (await (await fetch(`${sim.submissionApiUrl}/.well-known/jwks.json`)).json()) as { keys: Jwk[] };
  const set = sim.eventLog(caseId)[1]!;
  // signed by the delivery service's key, tampered or not
  const claims = JSON.parse(
    Buffer.from((await compactVerify(set, createPublicKey({ key: jwks.keys[0]!, format: 'jwk' }))).payload).toString(),
  ) as { events: Record<string, { authenticationTags: { metadata: string; data: string; attachments: object } }> };
  return claims.events[events.submit]!.authenticationTags;
};
type Structure = {
  data: { hash: { content: string }; submissionSchema: unknown };
  attachments: { attachmentId: string; hash: { content: string }; purpose: string; mimeType: string }[];
};
const structureOf = (metadata: Record<string, unknown>) => metadata.contentStructure as Structure;

describe('FIT-Connect simulator: sendAsOnlineService', () => {
  it('sends what a real sender sends: JWEs to the destination key, SHA-512 of the plain bytes, tags in the submit SET', async () => {
    const sent = await sim.sendAsOnlineService(destinationId, {
      attachments: [{ content: pdf, mediaType: 'application/pdf', purpose: 'form', filename: 'antrag.pdf' }],
    });
    const submission = sim.submissions.get(sent.submissionId)!;
    expect(submission.state).toBe('submitted');
    const metadata = JSON.parse((await open(submission.encryptedMetadata!)).toString()) as Record<string, unknown>;
    expect(metadata).toEqual(sent.metadata);
    expect(metadata.$schema).toBe('https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json');
    const data = await open(submission.encryptedData!);
    const structure = structureOf(metadata);
    expect(structure.data.hash.content).toBe(sha512(data));
    expect(structure.data.submissionSchema).toEqual({
      schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      mimeType: 'application/xml',
    });
    const attachmentJwe = submission.attachments.get(sent.attachmentIds[0]!)!;
    expect(await open(attachmentJwe)).toEqual(pdf);
    expect(structure.attachments).toEqual([
      {
        attachmentId: sent.attachmentIds[0],
        hash: { type: 'sha512', content: sha512(pdf) },
        purpose: 'form',
        mimeType: 'application/pdf',
        filename: 'antrag.pdf',
      },
    ]);
    expect(await submitTags(sent.caseId)).toEqual({
      metadata: tagOf(submission.encryptedMetadata!),
      data: tagOf(submission.encryptedData!),
      attachments: { [sent.attachmentIds[0]!]: tagOf(attachmentJwe) },
    });
  });

  it.skipIf(!hasReference)('writes metadata valid against the published schemas 2.1.0 and 1.0.0', async () => {
    const full = await sim.sendAsOnlineService(destinationId, {
      data: json,
      attachments: [
        { content: pdf, mediaType: 'application/pdf', filename: 'a.pdf' },
        { content: 'x', mediaType: 'text/plain', purpose: 'report' },
      ],
    });
    expect(ajvErrors(full.metadata)).toBeUndefined();
    const large = await sim.sendAsOnlineService(destinationId, { dataAsAttachment: true });
    expect(ajvErrors(large.metadata)).toBeUndefined();
    expect(ajvErrors((await sim.sendAsOnlineService(destinationId)).metadata)).toBeUndefined();
    // the validator is not vacuous: a broken hash fails it
    const broken = structuredClone(full.metadata);
    structureOf(broken).data.hash.content = 'abc';
    expect(ajvErrors(broken)).toBeDefined();

    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(join(referenceDir, 'fit-connect/metadata-1.0.0.schema.json'), 'utf8')) as {
      $id: string;
    };
    const validate1 = ajv.compile(schema);
    const old = await sim.sendAsOnlineService(destinationId, {
      metadataVersion: '1.0.0',
      attachments: [{ content: pdf, mediaType: 'application/pdf' }],
    });
    expect(validate1(old.metadata), JSON.stringify(validate1.errors)).toBe(true);
    expect(old.metadata.$schema).toBe(schema.$id);
    expect(old.metadata.publicServiceType).toEqual({
      name: 'Gewerbeanmeldung',
      identifier: 'urn:de:fim:leika:leistung:99050012104000',
    });
  });

  it('sends large data as a purpose data attachment with the empty placeholder', async () => {
    const sent = await sim.sendAsOnlineService(destinationId, { dataAsAttachment: true, data: json });
    const submission = sim.submissions.get(sent.submissionId)!;
    expect(submission.encryptedData).toBe('');
    const structure = structureOf(sent.metadata);
    expect(structure.data.hash.content).toBe(sha512(''));
    expect(structure.attachments[0]).toMatchObject({ purpose: 'data', mimeType: 'application/json' });
    expect((await sim.subscriber.open(sent.submissionId)).data).toBe(json.content);
  });

  it('tampers with exactly what it is told to', async () => {
    const attachments = [{ content: pdf, mediaType: 'application/pdf' }];
    const dataHash = await sim.sendAsOnlineService(destinationId, { tamper: { dataHash: true } });
    const dataOf = async (id: string) => open(sim.submissions.get(id)!.encryptedData!);
    expect(structureOf(dataHash.metadata).data.hash.content).not.toBe(sha512(await dataOf(dataHash.submissionId)));
    expect(structureOf(dataHash.metadata).data.hash.content).toMatch(/^[0-9a-f]{128}$/);

    const attachmentHash = await sim.sendAsOnlineService(destinationId, {
      attachments,
      tamper: { attachmentHash: true },
    });
    expect(structureOf(attachmentHash.metadata).attachments[0]!.hash.content).not.toBe(sha512(pdf));
    expect(structureOf(attachmentHash.metadata).data.hash.content).toBe(
      sha512(await dataOf(attachmentHash.submissionId)),
    );

    for (const part of ['metadata', 'data', 'attachment'] as const) {
      const sent = await sim.sendAsOnlineService(destinationId, { attachments, tamper: { authenticationTag: part } });
      const submission = sim.submissions.get(sent.submissionId)!;
      const actual = {
        metadata: tagOf(submission.encryptedMetadata!),
        data: tagOf(submission.encryptedData!),
        attachments: { [sent.attachmentIds[0]!]: tagOf(submission.attachments.get(sent.attachmentIds[0]!)!) },
      };
      const named = await submitTags(sent.caseId);
      const differs = {
        metadata: named.metadata !== actual.metadata,
        data: named.data !== actual.data,
        attachment: JSON.stringify(named.attachments) !== JSON.stringify(actual.attachments),
      };
      expect(differs, part).toEqual({ metadata: false, data: false, attachment: false, [part]: true });
      // an accept with the true tags is then refused: they differ from the submit SET's
      expect(await sim.subscriber.accept(sent.submissionId), part).toBe(422);
    }

    const another = createPrivateKey({ key: fixtureJwk('gateway-escrow-1'), format: 'jwk' });
    for (const part of ['metadata', 'data', 'attachment'] as const) {
      const sent = await sim.sendAsOnlineService(destinationId, { attachments, tamper: { jweForAnotherKey: part } });
      const submission = sim.submissions.get(sent.submissionId)!;
      const jwe = { metadata: submission.encryptedMetadata!, data: submission.encryptedData!, attachment: '' };
      jwe.attachment = submission.attachments.get(sent.attachmentIds[0]!)!;
      for (const other of ['metadata', 'data', 'attachment'] as const) {
        if (other === part) {
          await expect(open(jwe[other]), part).rejects.toThrow();
          expect((await open(jwe[other], another)).length).toBeGreaterThan(0);
        } else expect((await open(jwe[other])).length, `${part}/${other}`).toBeGreaterThan(0);
      }
    }

    const unknown = await sim.sendAsOnlineService(destinationId, { tamper: { unknownMetadataVersion: true } });
    expect(unknown.metadata.$schema).toBe('https://schema.fitko.de/fit-connect/metadata/9.0.0/metadata.schema.json');

    const missing = await sim.sendAsOnlineService(destinationId, { attachments, tamper: { missingAttachment: true } });
    const listed = structureOf(missing.metadata).attachments.map((a) => a.attachmentId);
    expect(listed).toHaveLength(2);
    expect([...sim.submissions.get(missing.submissionId)!.attachments.keys()]).toEqual([listed[0]]);

    const invalid = await sim.sendAsOnlineService(destinationId, { data: json, tamper: { invalidData: true } });
    const invalidData = await dataOf(invalid.submissionId);
    expect(() => JSON.parse(invalidData.toString()) as unknown).toThrow();
    expect(structureOf(invalid.metadata).data.hash.content).toBe(sha512(invalidData));
  });

  it('is refused like any sender by an inactive destination', async () => {
    const inactive = sim.addDestination().destinationId;
    sim.setDestinationStatus('inactive', inactive);
    await expect(sim.sendAsOnlineService(inactive)).rejects.toThrow(/destination-state-invalid/);
  });
});
