import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importEscrowKey } from '../../src/seal/gateway-keys/import-escrow-key.js';
import { importSigningKey } from '../../src/seal/gateway-keys/import-signing-key.js';
import { parsePrivateKey } from '../../src/seal/gateway-keys/read-private-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import { checkEncryptionJwk, type RecipientEncryptionKey } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import type { SealInput } from '../../src/seal/sealed-message/types.js';
import { projectRoot } from '../helpers/paths.js';

export const fixtureKeysDir = join(projectRoot, 'test/fixtures/keys');
const demoDir = join(projectRoot, 'config/demo');

export type Jwk = Record<string, unknown>;

/** A committed test key (DEVELOPMENT-ONLY), as private JWK. */
export function fixtureJwk(name: string): Jwk {
  return JSON.parse(readFileSync(join(fixtureKeysDir, `${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8')) as Jwk;
}

/** A demo recipient's private key from config/demo (DEVELOPMENT-ONLY), e.g. `dresden-gewerbeamt.encryption`. */
export function demoJwk(name: string): Jwk {
  return JSON.parse(readFileSync(join(demoDir, `${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8')) as Jwk;
}

/** The public half of a private JWK, with the members a published key carries. */
export function publicJwk(jwk: Jwk, extra: Jwk = {}): Jwk {
  const { kty, n, e, kid, alg, use } = jwk;
  const out: Jwk = { kty, n, e, kid };
  if (alg !== undefined) out.alg = alg;
  if (use !== undefined) out.use = use;
  return { ...out, ...extra };
}

let keysPromise: Promise<GatewayKeys> | undefined;

/** Gateway keys from the fixtures: signing keys 1 and 2, escrow keys 1 and 2. Imported once per test file. */
export function testGatewayKeys(): Promise<GatewayKeys> {
  keysPromise ??= (async () => {
    const parse = (name: string) => parsePrivateKey(JSON.stringify(fixtureJwk(name)), name);
    const signing = await Promise.all(
      ['gateway-signing-1', 'gateway-signing-2'].map((n) => {
        const p = parse(n);
        return importSigningKey(p.key, p.kid, n);
      }),
    );
    const escrow = await Promise.all(
      ['gateway-escrow-1', 'gateway-escrow-2'].map((n) => {
        const p = parse(n);
        return importEscrowKey(p.key, p.kid, n);
      }),
    );
    return {
      signing: new Map(signing.map((k) => [k.kid, k])),
      escrow: new Map(escrow.map((k) => [k.kid, k])),
      generated: false,
      source: 'files' as const,
    };
  })();
  return keysPromise;
}

export const SIGNING_1 = 'test-gateway-sig-1';
export const SIGNING_2 = 'test-gateway-sig-2';
export const ESCROW_1 = 'test-gateway-escrow-1';
export const ESCROW_2 = 'test-gateway-escrow-2';

/** The encryption key of a demo recipient as routing configures it (public, `key_ops: ["wrapKey"]`). */
export function demoRecipientPublic(destination: string): Jwk {
  return publicJwk(demoJwk(`${destination}.encryption`), { key_ops: ['wrapKey'] });
}

export function recipientKey(destination: string): Promise<RecipientEncryptionKey> {
  return checkEncryptionJwk(demoRecipientPublic(destination), defaultRecipientKeyPolicy);
}

export const FIXED_CLOCK = () => new Date('2026-11-25T10:15:00.000Z');

/** A message for Dresden's Gewerbeamt with two attachments. */
export function sampleInput(overrides: Partial<SealInput> = {}): SealInput {
  return {
    messageId: '6f1c2a7e-1b1d-4c8e-9a55-0f0c7b9b1a01',
    submissionId: '3c1f9e0a-5d7b-4f62-8e0e-2b7c4d9a6e10',
    destinationId: 'dresden-gewerbeamt',
    service: { key: '99050012104000', name: 'Gewerbeanmeldung' },
    region: { key: '146120000000', name: 'Landeshauptstadt Dresden' },
    standard: {
      name: 'xgewerbeanzeige',
      version: '2.2',
      message: 'alg.gewerbemeldung.0300',
      schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.2',
    },
    test: true,
    reference: 'AMT24-2026-000123',
    data: {
      content: '<?xml version="1.0" encoding="UTF-8"?>\n<nachricht>Marker-Ölmühle Äpfel-Straße 12</nachricht>\n',
      mediaType: 'application/xml',
    },
    attachments: [
      {
        id: 'ausweis',
        mediaType: 'application/pdf',
        filename: 'Personalausweis.pdf',
        content: Buffer.from('%PDF-1.7\nausweis\n%%EOF\n'),
      },
      {
        id: 'vollmacht',
        mediaType: 'image/png',
        filename: 'Vollmacht.png',
        content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
      },
    ],
    ...overrides,
  };
}
