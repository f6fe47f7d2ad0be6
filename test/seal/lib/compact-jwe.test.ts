import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64urlLength, encryptCompactJwe } from '../../../src/seal/lib/compact-jwe.js';

// Issue 19 F4: the gateway encrypts with node:crypto instead of jose's CompactEncrypt, to hold fewer copies of
// large parts. The output must stay a standard compact JWE that jose opens, however the plaintext is cut into pieces.
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(from, p));
    from = p;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

describe('encryptCompactJwe', () => {
  it('gives a compact JWE {RSA-OAEP-256, A256GCM} that jose opens to the plaintext, however the plaintext is cut into pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200_000 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (raw, cuts) => {
          const plaintext = Buffer.from(raw);
          const jwe = encryptCompactJwe(
            { length: plaintext.length, pieces: split(plaintext, cuts) },
            { kid: 'k1', cty: 'application/pdf' },
            publicKey,
          );
          expect(jwe).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]*\.[\w-]+$/);
          expect(decodeProtectedHeader(jwe)).toEqual({
            alg: 'RSA-OAEP-256',
            enc: 'A256GCM',
            kid: 'k1',
            cty: 'application/pdf',
          });
          const opened = await compactDecrypt(jwe, privateKey, {
            keyManagementAlgorithms: ['RSA-OAEP-256'],
            contentEncryptionAlgorithms: ['A256GCM'],
          });
          expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('authenticates the protected header: a changed header is refused', async () => {
    const jwe = encryptCompactJwe(
      { length: 3, pieces: [Buffer.from('abc')] },
      { kid: 'k1', sub: 'submission-1' },
      publicKey,
    );
    const forged =
      Buffer.from(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1', sub: 'submission-2' })).toString(
        'base64url',
      ) + jwe.slice(jwe.indexOf('.'));
    await expect(compactDecrypt(forged, privateKey)).rejects.toThrow();
  });

  it('refuses pieces that do not add up to the announced length', () => {
    expect(() => encryptCompactJwe({ length: 4, pieces: [Buffer.from('abc')] }, { kid: 'k1' }, publicKey)).toThrow(
      /3 bytes, not the 4/,
    );
  });

  it('knows the unpadded base64url length of any size', () => {
    for (let n = 0; n < 50; n++) expect(base64urlLength(n)).toBe(Buffer.alloc(n).toString('base64url').length);
  });
});
