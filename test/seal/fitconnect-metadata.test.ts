import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { sealFitConnect, type FitConnectSealInput, type RecipientEncryptionKey } from '../../src/seal/index.js';
import { checkEncryptionJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { referenceDir } from '../helpers/paths.js';
import { fixtureJwk, publicJwk } from './fixtures.js';

/** FIT-Connect's published metadata schema 2.1.0 (reference data, read from ../shared, never copied in). */
const published = JSON.parse(
  readFileSync(join(referenceDir, 'fit-connect/metadata-2.1.0.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(published);

let recipient: RecipientEncryptionKey;
beforeAll(async () => {
  recipient = await checkEncryptionJwk(
    publicJwk(fixtureJwk('recipient-encryption'), { key_ops: ['wrapKey'] }),
    defaultRecipientKeyPolicy,
  );
});

const input = (overrides: Partial<FitConnectSealInput> = {}): FitConnectSealInput => ({
  messageId: 'm-1',
  destinationId: '0c438057-ec3e-4ce0-b154-1683b5d3c2e8',
  service: { key: '99050012104000', name: 'Gewerbeanmeldung' },
  submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
  reference: 'AZ-2026-17',
  receivedAt: new Date('2026-12-31T23:30:00Z'),
  author: { name: 'Amtsbote', product: { name: 'Amtsbote', version: '0.1.0', manufacturer: 'Amtsbote contributors' } },
  data: { content: '<nachricht/>', mediaType: 'application/xml' },
  attachments: [
    {
      id: 'handwerkskarte',
      filename: 'handwerkskarte.pdf',
      mediaType: 'application/pdf',
      content: Buffer.from('%PDF-1.4'),
    },
    { id: 'foto', filename: 'ausweis.jpg', mediaType: 'image/jpeg', content: Buffer.alloc(0) },
    {
      id: 'antrag',
      filename: 'antrag.pdf',
      mediaType: 'application/pdf',
      purpose: 'form',
      content: Buffer.from('%PDF-1.7 form'),
    },
    {
      id: 'quittung',
      filename: 'quittung.pdf',
      mediaType: 'application/pdf',
      purpose: 'report',
      content: Buffer.from('%PDF-1.7 report'),
    },
  ],
  ...overrides,
});

describe('FIT-Connect metadata the gateway emits', () => {
  it.each([
    ['with attachments and a reference', input()],
    [
      'without attachments and reference, JSON data',
      input({ attachments: [], reference: undefined, data: { content: '{"a":1}', mediaType: 'application/json' } }),
    ],
  ])("is valid against FIT-Connect's metadata schema 2.1.0 (%s)", async (_name, sealInput) => {
    const sealed = await sealFitConnect(sealInput, recipient);
    expect(validate(sealed.metadata), JSON.stringify(validate.errors)).toBe(true);
    // What travels is exactly that metadata, encrypted with the headers FIT-Connect wants.
    const jwe = sealed.container.encryptedMetadata;
    expect(decodeProtectedHeader(jwe)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: 'test-recipient-enc-1',
      cty: 'application/json',
    });
    const { plaintext } = await compactDecrypt(
      jwe,
      createPrivateKey({ key: fixtureJwk('recipient-encryption'), format: 'jwk' }),
    );
    expect(JSON.parse(Buffer.from(plaintext).toString('utf8'))).toEqual(sealed.metadata);
  });

  it('names the attachments by fresh UUIDv4s, the service by its LeiKa URN, the date as in Germany', async () => {
    const sealed = await sealFitConnect(input(), recipient);
    const ids = sealed.metadata.contentStructure.attachments.map((a) => a.attachmentId);
    expect(ids).toEqual(sealed.container.attachments.map((a) => a.attachmentId));
    expect(new Set(ids).size).toBe(4);
    expect(Object.keys(sealed.authenticationTags.attachments)).toEqual(ids);
    expect(sealed.container.publicService).toEqual({
      name: 'Gewerbeanmeldung',
      identifier: 'urn:de:fim:leika:leistung:99050012104000',
    });
    // 23:30 UTC on New Year's Eve is already the 1st of January in Berlin.
    expect(sealed.metadata.additionalReferenceInfo.applicationDate).toBe('2027-01-01');
    for (const a of sealed.container.attachments)
      expect(decodeProtectedHeader(a.encrypted)).toMatchObject({
        alg: 'RSA-OAEP-256',
        enc: 'A256GCM',
        kid: 'test-recipient-enc-1',
      });
  });

  it("carries each attachment's purpose in FIT-Connect's words; one without a purpose is the applicant's attachment", async () => {
    const sealed = await sealFitConnect(input(), recipient);
    expect(
      sealed.metadata.contentStructure.attachments.map((a) => ['filename' in a ? a.filename : undefined, a.purpose]),
    ).toEqual([
      ['handwerkskarte.pdf', 'attachment'],
      ['ausweis.jpg', 'attachment'],
      ['antrag.pdf', 'form'],
      ['quittung.pdf', 'report'],
    ]);
  });

  it('the published schema refuses what FIT-Connect refuses (the check is not vacuous)', async () => {
    const { metadata } = await sealFitConnect(input(), recipient);
    const broken = structuredClone(metadata) as unknown as {
      contentStructure: {
        attachments: { attachmentId: string; purpose: string }[];
        data: { hash: { content: string } };
      };
    };
    broken.contentStructure.data.hash.content = broken.contentStructure.data.hash.content.toUpperCase();
    expect(validate(broken)).toBe(false);
    const unknownPurpose = structuredClone(metadata) as unknown as typeof broken;
    unknownPurpose.contentStructure.attachments[0]!.purpose = 'evidence';
    expect(validate(unknownPurpose)).toBe(false);
  });

  it('refuses to seal what its own schema does not admit (a data schema that is no URI)', async () => {
    await expect(sealFitConnect(input({ submissionSchemaUri: 'no uri' }), recipient)).rejects.toThrow(
      /submissionSchema/,
    );
  });
});
