import type { KeyObject, webcrypto } from 'node:crypto';
import { isKeyObject } from 'node:util/types';
import { modulusBits, rsaPrivateKeyFromJwk } from './lib/rsa-jwk.js';

/**
 * A private key the receiver decrypts with: a private RSA JWK carrying its `kid` (as `receiver keys init`
 * writes it), or a key object with the `kid` the gateway puts into the JWE header.
 */
export type RecipientPrivateKey = Record<string, unknown> | { kid: string; key: KeyObject | webcrypto.CryptoKey };

/** kid → key, ready for jose. */
export type RecipientKeyRing = ReadonlyMap<string, KeyObject | webcrypto.CryptoKey>;

const prepared = new WeakMap<object, RecipientKeyRing>();

/** Imports the receiver's private keys once; repeated calls with the same input reuse the result. */
export function prepareRecipientKeys(keys: RecipientPrivateKey | readonly RecipientPrivateKey[]): RecipientKeyRing {
  const cached = prepared.get(keys);
  if (cached) return cached;
  const list: readonly RecipientPrivateKey[] = Array.isArray(keys) ? keys : [keys as RecipientPrivateKey];
  const ring = new Map<string, KeyObject | webcrypto.CryptoKey>();
  for (const entry of list) {
    const { kid, key } = toKey(entry);
    if (ring.has(kid)) throw new TypeError(`two recipient keys have the kid "${kid}"`);
    ring.set(kid, key);
  }
  prepared.set(keys, ring);
  return ring;
}

function toKey(entry: RecipientPrivateKey): { kid: string; key: KeyObject | webcrypto.CryptoKey } {
  if ('key' in entry && typeof entry.kid === 'string' && (isKeyObject(entry.key) || isCryptoKey(entry.key))) {
    return { kid: entry.kid, key: entry.key };
  }
  const jwk = entry as Record<string, unknown>;
  if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new TypeError('a recipient private JWK needs its "kid"');
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string')
    throw new TypeError(`the recipient key "${jwk.kid}" is not a private RSA JWK`);
  const key = rsaPrivateKeyFromJwk(jwk);
  if (modulusBits(key) < 2048) throw new TypeError(`the recipient key "${jwk.kid}" is shorter than 2048 bits`);
  return { kid: jwk.kid, key };
}

function isCryptoKey(value: unknown): value is webcrypto.CryptoKey {
  return Object.prototype.toString.call(value) === '[object CryptoKey]';
}
