import type { KeyObject } from 'node:crypto';
import { hasPrivateMembers, modulusBits, rsaPublicKeyFromJwk } from './lib/rsa-jwk.js';
import { JWS_ALG } from './format.js';

/** A JWK Set as published at the gateway's `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  keys: Record<string, unknown>[];
}

/** kid → the gateway's public signing key, or why that kid's key is unusable. */
export type PinnedKeyRing = ReadonlyMap<string, KeyObject | Error>;

const prepared = new WeakMap<object, PinnedKeyRing>();

/**
 * The gateway keys the receiver pinned in its own configuration — never keys that arrive with a
 * message. Only RSA ≥ 4096 bits for PS512 (`alg`, `use`, `key_ops` checked where present).
 * A key that fails the checks is remembered with its reason, so a message signed with it is refused
 * precisely; the other keys stay usable.
 */
export function preparePinnedJwks(jwks: JsonWebKeySet): PinnedKeyRing {
  const cached = prepared.get(jwks);
  if (cached) return cached;
  if (!Array.isArray(jwks.keys)) throw new TypeError('the pinned gateway JWKS has no "keys" array');
  const ring = new Map<string, KeyObject | Error>();
  for (const jwk of jwks.keys) {
    const kid = jwk.kid;
    if (typeof kid !== 'string' || kid === '') continue;
    if (ring.has(kid)) {
      ring.set(kid, new Error(`the pinned JWKS has more than one key with kid "${kid}"`));
      continue;
    }
    ring.set(kid, checkGatewayJwk(jwk, kid));
  }
  prepared.set(jwks, ring);
  return ring;
}

function checkGatewayJwk(jwk: Record<string, unknown>, kid: string): KeyObject | Error {
  if (hasPrivateMembers(jwk)) return new Error(`the pinned key "${kid}" contains private members`);
  if (jwk.kty !== 'RSA') return new Error(`the pinned key "${kid}" is not an RSA key`);
  if (jwk.alg !== undefined && jwk.alg !== JWS_ALG)
    return new Error(`the pinned key "${kid}" is for ${JSON.stringify(jwk.alg)}, not ${JWS_ALG}`);
  if (jwk.use !== undefined && jwk.use !== 'sig')
    return new Error(`the pinned key "${kid}" is not a signature key (use ${JSON.stringify(jwk.use)})`);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return new Error(`the pinned key "${kid}" does not allow "verify"`);
  }
  let key: KeyObject;
  try {
    key = rsaPublicKeyFromJwk(jwk);
  } catch (error) {
    return new Error(`the pinned key "${kid}" cannot be imported: ${(error as Error).message}`);
  }
  if (modulusBits(key) < 4096)
    return new Error(`the pinned key "${kid}" has ${modulusBits(key)} bits, fewer than 4096`);
  return key;
}
