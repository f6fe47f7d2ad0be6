import fc from 'fast-check';
import { CompactEncrypt, compactDecrypt, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { installUint8ArrayToBase64 } from '../../src/seal/lib/uint8array-to-base64.js';

type WithToBase64 = Uint8Array & {
  toBase64(options?: { alphabet?: 'base64' | 'base64url'; omitPadding?: boolean }): string;
};

describe('Uint8Array.prototype.toBase64 where the runtime lacks it', () => {
  installUint8ArrayToBase64();

  it('gives the standard base64 and base64url text, with and without padding, for views into larger buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 5 }), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length)) as WithToBase64;
        const reference = Buffer.from(view).toString('base64');
        expect(view.toBase64()).toBe(reference);
        expect(view.toBase64({ omitPadding: true })).toBe(reference.replace(/=+$/, ''));
        expect(view.toBase64({ alphabet: 'base64url', omitPadding: true })).toBe(
          reference.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'),
        );
        expect(view.toBase64({ alphabet: 'base64url' })).toBe(reference.replaceAll('+', '-').replaceAll('/', '_'));
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('refuses other receivers and alphabets as the standard does', () => {
    const toBase64 = Reflect.get(Uint8Array.prototype, 'toBase64') as (this: unknown) => string;
    expect(() => Reflect.apply(toBase64, [1, 2, 3], [])).toThrow(TypeError);
    expect(() => (new Uint8Array(3) as WithToBase64).toBase64({ alphabet: 'hex' as 'base64' })).toThrow(TypeError);
  });

  it('leaves JWEs that jose writes with it openable', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
    const plaintext = Buffer.from(Array.from({ length: 100_001 }, (_, i) => (i * 7) % 256));
    const jwe = await new CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(publicKey);
    expect(jwe).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const opened = await compactDecrypt(jwe, privateKey);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });
});
