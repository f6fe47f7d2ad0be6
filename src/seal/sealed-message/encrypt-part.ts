import type { webcrypto } from 'node:crypto';
import { encryptCompactJwe } from '../lib/compact-jwe.js';

/** One part as compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty}`, no `zip`. */
export function encryptPart(
  plaintext: Uint8Array,
  cty: string,
  key: { kid: string; key: webcrypto.CryptoKey },
): string {
  return encryptCompactJwe({ length: plaintext.length, pieces: [plaintext] }, { kid: key.kid, cty }, key.key);
}

/** The authentication tag of a compact JWE (its 5th segment). */
export function authenticationTag(jwe: string): string {
  return jwe.slice(jwe.lastIndexOf('.') + 1);
}
