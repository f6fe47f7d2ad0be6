/**
 * Test vectors of docs/sealed-message.md: docs/sealed-message-vectors.json holds fixed keys, sealed
 * messages and what opening each must give. This test opens every vector with the receiver kit, so
 * the document cannot drift from the code. Regenerate (new random IVs and keys wraps, same content) with
 *   AMTSBOTE_WRITE_VECTORS=1 npx vitest run test/receiver/vectors.test.ts
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { isOpenSealedMessageError } from '../../src/receiver/errors.js';
import { sealedMetadataSchema, type SealedContainer } from '../../src/receiver/format.js';
import { openSealedMessage } from '../../src/receiver/open-sealed-message.js';
import type { JsonWebKeySet } from '../../src/receiver/pinned-jwks.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { checkEncryptionJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import type { SealInput } from '../../src/seal/sealed-message/types.js';
import { projectRoot } from '../helpers/paths.js';
import {
  FIXED_CLOCK,
  fixtureJwk,
  publicJwk,
  SIGNING_1,
  SIGNING_2,
  testGatewayKeys,
  type Jwk,
} from '../seal/fixtures.js';

const vectorFile = join(projectRoot, 'docs/sealed-message-vectors.json');
const docFile = join(projectRoot, 'docs/sealed-message.md');

interface Vector {
  name: string;
  description: string;
  container: SealedContainer;
  expect?: {
    metadata: unknown;
    data: { mediaType: string; utf8: string };
    attachments: Record<string, { mediaType: string; filename: string; base64: string }>;
  };
  expectError?: { code: string; part: string };
}

interface VectorFile {
  format: string;
  warning: string;
  regenerate: string;
  keys: { recipientPrivateJwk: Jwk; recipientPublicJwk: Jwk; gatewayJwks: JsonWebKeySet };
  vectors: Vector[];
}

const xml =
  '<?xml version="1.0" encoding="UTF-8"?>\n<gewerbemeldung xmlns="urn:example:vektor"><betrieb>Bäckerei Grüße &amp; Söhne</betrieb></gewerbemeldung>\n';

const baseInput: SealInput = {
  messageId: '00000000-0000-4000-8000-00000000a001',
  submissionId: '00000000-0000-4000-8000-00000000b001',
  destinationId: 'vector-destination',
  service: { key: '99050012104000', name: 'Gewerbeanmeldung' },
  region: { key: '146120000000', name: 'Landeshauptstadt Dresden' },
  standard: {
    name: 'xgewerbeanzeige',
    version: '2.2',
    message: 'alg.gewerbemeldung.0300',
    schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.2',
  },
  test: true,
  reference: 'VECTOR-1',
  authentication: { method: 'bundid', levelOfAssurance: 'substantial' },
  paymentInformation: {
    transactionId: 'TX-VECTOR-0001',
    transactionReference: 'Kassenzeichen 5.0123.000001.7',
    paymentMethod: 'CREDITCARD',
    paymentMethodDetail: 'Visa',
    status: 'BOOKED',
    transactionTimestamp: '2026-03-01T09:15:00+01:00',
    grossAmount: 26.5,
  },
  data: { content: xml, mediaType: 'application/xml' },
  attachments: [
    {
      id: 'eins',
      mediaType: 'application/pdf',
      filename: 'Erste Anlage.pdf',
      content: Buffer.from('%PDF-1.7\n% erste Anlage\n%%EOF\n'),
    },
    {
      id: 'zwei',
      mediaType: 'application/pdf',
      filename: 'Zweite Anlage.pdf',
      purpose: 'form',
      content: Buffer.from('%PDF-1.7\n% zweite Anlage\n%%EOF\n'),
    },
  ],
};

async function generate(): Promise<VectorFile> {
  const keys = await testGatewayKeys();
  const recipientPrivateJwk = fixtureJwk('recipient-encryption');
  const recipientPublicJwk = publicJwk(recipientPrivateJwk, { key_ops: ['wrapKey'] });
  const recipient = await checkEncryptionJwk(recipientPublicJwk, defaultRecipientKeyPolicy);
  const seal = (input: SealInput, kid = SIGNING_1) =>
    sealMessage(input, { signing: signingKeyFor(keys, kid), recipient }, { clock: FIXED_CLOCK });
  const { kty, n, e, d, p, q, dp, dq, qi } = recipientPrivateJwk as Record<string, string>;
  const privateKey = createPrivateKey({ key: { kty, n, e, d, p, q, dp, dq, qi }, format: 'jwk' });
  const reencrypt = (text: string) =>
    new CompactEncrypt(Buffer.from(text))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: recipient.kid, cty: 'JOSE' })
      .encrypt(recipient.key);

  const expected = (input: SealInput, metadata: unknown): Vector['expect'] => ({
    metadata,
    data: { mediaType: input.data.mediaType, utf8: Buffer.from(input.data.content).toString('utf8') },
    attachments: Object.fromEntries(
      input.attachments.map((a) => [
        a.id,
        { mediaType: a.mediaType, filename: a.filename, base64: Buffer.from(a.content).toString('base64') },
      ]),
    ),
  });

  const main = await seal(baseInput);
  const jsonInput: SealInput = {
    ...baseInput,
    messageId: '00000000-0000-4000-8000-00000000a002',
    data: { content: JSON.stringify({ gewerbe: { name: 'Grüße GmbH' } }), mediaType: 'application/json' },
    attachments: [],
  };
  const json = await seal(jsonInput);
  const other = await seal({
    ...baseInput,
    messageId: '00000000-0000-4000-8000-00000000a003',
    data: { content: '<andere/>', mediaType: 'application/xml' },
  });
  const retired = await seal(baseInput, SIGNING_2);
  const { plaintext } = await compactDecrypt(main.container.encryptedMetadata, privateKey);
  const payload = Buffer.from(plaintext).toString('ascii').split('.')[1]!;
  const noneHeader = Buffer.from(
    JSON.stringify({ alg: 'none', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' }),
  ).toString('base64url');
  const c = main.container;

  return {
    format: 'amtsbote-sealed/1',
    warning: 'DEVELOPMENT-ONLY keys, published here: never use them for real messages.',
    regenerate:
      'AMTSBOTE_WRITE_VECTORS=1 npx vitest run test/receiver/vectors.test.ts (new IVs and key wraps; the expectations stay the same)',
    keys: { recipientPrivateJwk, recipientPublicJwk, gatewayJwks: gatewayJwks(keys, [SIGNING_2]) },
    vectors: [
      {
        name: 'xml-two-attachments',
        description: 'XML data and two PDF attachments.',
        container: c,
        expect: expected(baseInput, main.metadata),
      },
      {
        name: 'json-no-attachments',
        description: 'JSON data, no attachments (encryptedAttachments is {}).',
        container: json.container,
        expect: expected(jsonInput, json.metadata),
      },
      {
        name: 'refused-swapped-attachments',
        description: 'The JWEs of the two attachments swapped.',
        container: {
          ...c,
          encryptedAttachments: { eins: c.encryptedAttachments.zwei!, zwei: c.encryptedAttachments.eins! },
        },
        expectError: { code: 'hash-mismatch', part: 'attachment:eins' },
      },
      {
        name: 'refused-data-from-another-message',
        description: 'encryptedData taken from another message to the same recipient.',
        container: { ...c, encryptedData: other.container.encryptedData },
        expectError: { code: 'hash-mismatch', part: 'data' },
      },
      {
        name: 'refused-metadata-from-another-message',
        description: 'encryptedMetadata taken from another message to the same recipient.',
        container: { ...c, encryptedMetadata: other.container.encryptedMetadata },
        expectError: { code: 'message-mismatch', part: 'container' },
      },
      {
        name: 'refused-retired-signing-key',
        description: 'Signed with test-gateway-sig-2, which is not in the pinned gateway JWKS.',
        container: retired.container,
        expectError: { code: 'unknown-signing-key', part: 'metadata' },
      },
      {
        name: 'refused-alg-none',
        description: 'The metadata JWS replaced by an unsigned one (alg none), re-encrypted to the recipient.',
        container: { ...c, encryptedMetadata: await reencrypt(`${noneHeader}.${payload}.`) },
        expectError: { code: 'algorithm-not-allowed', part: 'metadata' },
      },
      {
        name: 'refused-changed-ciphertext',
        description: 'One character of the data JWE ciphertext changed.',
        container: { ...c, encryptedData: changeCharacter(c.encryptedData, 3) },
        expectError: { code: 'decryption-failed', part: 'data' },
      },
    ],
  };
}

function changeCharacter(token: string, segment: number): string {
  const parts = token.split('.');
  const s = parts[segment]!;
  const i = Math.floor(s.length / 2);
  parts[segment] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return parts.join('.');
}

if (process.env.AMTSBOTE_WRITE_VECTORS === '1')
  writeFileSync(vectorFile, JSON.stringify(await generate(), null, 2) + '\n');
if (!existsSync(vectorFile)) throw new Error(`${vectorFile} is missing: regenerate it with AMTSBOTE_WRITE_VECTORS=1`);
const file = JSON.parse(readFileSync(vectorFile, 'utf8')) as VectorFile;

describe('test vectors of docs/sealed-message.md', () => {
  for (const vector of file.vectors) {
    it(vector.name, async () => {
      const options = { recipientKeys: file.keys.recipientPrivateJwk, gatewayJwks: file.keys.gatewayJwks };
      if (vector.expectError) {
        const error = await openSealedMessage(vector.container, options).catch((e: unknown) => e);
        expect(isOpenSealedMessageError(error)).toBe(true);
        expect(error).toMatchObject(vector.expectError);
        return;
      }
      const opened = await openSealedMessage(vector.container, options);
      const want = vector.expect!;
      expect(opened.metadata).toEqual(want.metadata);
      expect(opened.dataMediaType).toBe(want.data.mediaType);
      expect(opened.data.toString('utf8')).toBe(want.data.utf8);
      expect(
        Object.fromEntries(
          [...opened.attachments].map(([id, a]) => [
            id,
            { mediaType: a.mediaType, filename: a.filename, base64: a.content.toString('base64') },
          ]),
        ),
      ).toEqual(want.attachments);
    });
  }

  it('uses the committed fixture keys', () => {
    expect(file.keys.recipientPrivateJwk).toEqual(fixtureJwk('recipient-encryption'));
    expect(file.keys.gatewayJwks.keys.map((k) => k.kid)).toEqual([SIGNING_1]);
  });

  it('is what the document describes: every vector and every metadata member is named there', () => {
    const doc = readFileSync(docFile, 'utf8');
    for (const vector of file.vectors) expect(doc).toContain(vector.name);
    for (const member of Object.keys(sealedMetadataSchema.shape)) expect(doc).toContain(`\`${member}\``);
    expect(doc).toContain('sealed-message-vectors.json');
  });
});
