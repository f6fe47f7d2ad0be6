import type { webcrypto } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { JWE_ALG, JWE_ENC } from '../../receiver/format.js';

/** One part as compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty}`, no `zip`. */
export async function encryptPart(plaintext: Uint8Array, cty: string, key: { kid: string; key: webcrypto.CryptoKey }): Promise<string> {
  return new CompactEncrypt(plaintext).setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, kid: key.kid, cty }).encrypt(key.key);
}

/** The authentication tag of a compact JWE (its 5th segment). */
export function authenticationTag(jwe: string): string {
  return jwe.slice(jwe.lastIndexOf('.') + 1);
}
