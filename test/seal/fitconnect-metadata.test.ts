import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHENTICATION_DATA_SET_SCHEMA,
  authenticationDataSetJsonSchema,
  DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES,
  fitConnectContainerSchema,
  sealFitConnect,
  type FitConnectSealInput,
  type RecipientEncryptionKey,
} from '../../src/seal/index.js';
import { checkEncryptionJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { hasPythonJsonschema, pythonErrors } from '../helpers/fitconnect-metadata-validators.js';
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

const payment = {
  transactionId: 'TX-2026-0211-7731',
  transactionReference: 'Kassenzeichen 5.0123.000123.4',
  transactionTimestamp: '2026-02-11T10:41:07+01:00',
  paymentMethod: 'CREDITCARD' as const,
  paymentMethodDetail: 'Visa',
  status: 'BOOKED' as const,
  grossAmount: 26.5,
};
const sha512 = (bytes: Uint8Array | string) => createHash('sha512').update(bytes).digest('hex');
const decrypt = async (jwe: string) => {
  const { plaintext, protectedHeader } = await compactDecrypt(
    jwe,
    createPrivateKey({ key: fixtureJwk('recipient-encryption'), format: 'jwk' }),
  );
  return { content: Buffer.from(plaintext), cty: protectedHeader.cty };
};

describe('payment and authentication in FIT-Connect metadata', () => {
  it("carries the payment as paymentInformation and the authentication as a data set, valid for FIT-Connect's schema", async () => {
    const sealed = await sealFitConnect(
      input({ paymentInformation: payment, authentication: { method: 'bundid', levelOfAssurance: 'substantial' } }),
      recipient,
    );
    expect(sealed.metadata.paymentInformation).toEqual(payment);
    const [dataSet, ...more] = sealed.metadata.dataSets ?? [];
    expect(more).toEqual([]);
    expect(dataSet).toMatchObject({
      schema: { schemaUri: AUTHENTICATION_DATA_SET_SCHEMA, mimeType: 'application/json' },
      content: { method: 'bundid', levelOfAssurance: 'substantial' },
    });
    // The hash a receiver recomputes: SHA-512 of the content's canonical JSON (RFC 8785; keys sorted).
    expect(dataSet!.hash).toEqual({
      type: 'sha512',
      content: sha512('{"levelOfAssurance":"substantial","method":"bundid"}'),
    });
    // The content keeps the schema the data set names.
    const contentSchema = new Ajv2020({ strict: true }).compile(authenticationDataSetJsonSchema);
    expect(contentSchema(dataSet!.content)).toBe(true);
    expect(contentSchema({ method: 'passport' })).toBe(false);
    expect(validate(sealed.metadata), JSON.stringify(validate.errors)).toBe(true);
    // What travels is that metadata.
    expect(JSON.parse((await decrypt(sealed.container.encryptedMetadata)).content.toString('utf8'))).toEqual(
      sealed.metadata,
    );
  });

  it('writes neither when the portal reported neither', async () => {
    const { metadata } = await sealFitConnect(input(), recipient);
    expect(metadata).not.toHaveProperty('paymentInformation');
    expect(metadata).not.toHaveProperty('dataSets');
  });
});

describe('data above the threshold as an attachment with purpose data', () => {
  const xml = `<nachricht>${'Ä'.repeat(40)}</nachricht>`;
  const bytes = Buffer.byteLength(xml);

  it('sends the data as the last attachment, encryptedData as the empty placeholder, the data hash of empty input', async () => {
    // (without the empty attachment of input(): intake refuses empty attachments, and the container's JWE pattern too)
    const attachments = input().attachments.filter((a) => a.content.byteLength > 0);
    const sealed = await sealFitConnect(
      input({ data: { content: xml, mediaType: 'application/xml' }, dataAttachmentAboveBytes: bytes - 1, attachments }),
      recipient,
    );
    expect(sealed.container.encryptedData).toBe('');
    expect(sealed.authenticationTags.data).toBe('');
    const { contentStructure } = sealed.metadata;
    // FIT-Connect: "cf83e135…927da3e", the SHA-512 of empty input
    expect(contentStructure.data.hash.content).toBe(sha512(''));
    expect(contentStructure.data.hash.content).toMatch(/^cf83e135.*927da3e$/);
    expect(contentStructure.data.submissionSchema).toEqual({
      schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      mimeType: 'application/xml',
    });
    const entry = contentStructure.attachments.at(-1)!;
    expect(entry.attachmentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entry).toEqual({
      attachmentId: entry.attachmentId,
      hash: { type: 'sha512', content: sha512(xml) },
      purpose: 'data',
      mimeType: 'application/xml',
    });
    expect(contentStructure.attachments.filter((a) => a.purpose === 'data')).toHaveLength(1);
    // Announced, uploaded and tagged like every attachment, under its own id.
    const part = sealed.container.attachments.at(-1)!;
    expect(part.attachmentId).toBe(entry.attachmentId);
    expect(sealed.container.attachments).toHaveLength(attachments.length + 1);
    expect(sealed.authenticationTags.attachments[entry.attachmentId]).toBe(part.encrypted.split('.')[4]);
    expect(await decrypt(part.encrypted)).toEqual({ content: Buffer.from(xml), cty: 'application/xml' });
    expect(validate(sealed.metadata), JSON.stringify(validate.errors)).toBe(true);
    // The gateway stores and the adapter reads the container through its schema: the placeholder passes.
    expect(fitConnectContainerSchema.parse(JSON.parse(JSON.stringify(sealed.container)))).toEqual(sealed.container);
  });

  it('keeps data of exactly the threshold as the data', async () => {
    const sealed = await sealFitConnect(
      input({ data: { content: xml, mediaType: 'application/xml' }, dataAttachmentAboveBytes: bytes }),
      recipient,
    );
    expect(sealed.container.encryptedData).not.toBe('');
    expect(sealed.metadata.contentStructure.data.hash.content).toBe(sha512(xml));
    expect(sealed.metadata.contentStructure.attachments.map((a) => a.purpose)).not.toContain('data');
  });

  it('uses 10 000 000 bytes when the destination names no threshold', async () => {
    expect(DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES).toBe(10_000_000);
    const json = (size: number) => ({ content: Buffer.alloc(size, 0x20), mediaType: 'application/json' as const });
    const at = await sealFitConnect(input({ attachments: [], data: json(10_000_000) }), recipient);
    expect(at.metadata.contentStructure.attachments).toEqual([]);
    const above = await sealFitConnect(input({ attachments: [], data: json(10_000_001) }), recipient);
    expect(above.container.encryptedData).toBe('');
    expect(above.metadata.contentStructure.attachments).toMatchObject([
      { purpose: 'data', mimeType: 'application/json' },
    ]);
  });
});

describe.skipIf(!hasPythonJsonschema)(
  'a second validator (skipped: python3 cannot import jsonschema; apt-get install -y python3-jsonschema)',
  () => {
    it('python-jsonschema finds the metadata with payment, data set and data attachment valid, and a broken one not', async () => {
      const { metadata } = await sealFitConnect(
        input({
          attachments: [],
          paymentInformation: payment,
          authentication: { method: 'eid' },
          dataAttachmentAboveBytes: 0,
        }),
        recipient,
      );
      const broken = { ...metadata, paymentInformation: { ...payment, status: 'PAID' } };
      expect(pythonErrors([metadata, broken])).toEqual([
        [],
        [expect.stringMatching(/^\/paymentInformation\/status 'PAID' is not one of/)],
      ]);
    });
  },
);
