import { compactDecrypt, decodeProtectedHeader } from 'jose';
import type { DecryptionKeys } from './subscriber-keys.js';

export type DecryptedPart = { ok: true; plaintext: Buffer; cty?: string } | { ok: false; detail: string };

/**
 * Decrypts one compact JWE of a submission (`{alg: RSA-OAEP-256, enc: A256GCM, kid}`, PROTOCOL.md §2) with the
 * destination's key its `kid` names. A JWE for a kid the destination does not hold, for another key under a known
 * kid, with other algorithms, compressed (`zip`, which jose 6 does not inflate) or malformed fails with a detail
 * that names no key material — a reject, never a crash.
 */
export async function decryptPart(jwe: string, keys: DecryptionKeys): Promise<DecryptedPart> {
  let header;
  try {
    header = decodeProtectedHeader(jwe);
  } catch {
    return { ok: false, detail: 'is not a compact JWE' };
  }
  if (jwe.split('.').length !== 5) return { ok: false, detail: 'is not a compact JWE' };
  if (header.alg !== 'RSA-OAEP-256' || header.enc !== 'A256GCM')
    return { ok: false, detail: 'is not encrypted with RSA-OAEP-256 and A256GCM' };
  if (header.zip !== undefined) return { ok: false, detail: 'is compressed (zip), which is not taken' };
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, detail: 'names no key (kid)' };
  const key = keys.get(header.kid);
  if (key === undefined)
    return {
      ok: false,
      detail: `is encrypted for key ${header.kid.slice(0, 64)}, which this destination does not hold`,
    };
  try {
    const { plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: ['RSA-OAEP-256'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const cty = typeof header.cty === 'string' ? header.cty : undefined;
    const buffer = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    return cty === undefined ? { ok: true, plaintext: buffer } : { ok: true, plaintext: buffer, cty };
  } catch {
    return { ok: false, detail: `cannot be decrypted with key ${header.kid.slice(0, 64)}` };
  }
}
