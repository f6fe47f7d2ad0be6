import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

const PUBLIC_MEMBERS = ['kty', 'n', 'e'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * Imports an RSA JWK through node:crypto with only its key material: `alg`, `use` and `key_ops` are
 * policy, checked by the caller, and WebCrypto would map `key_ops` to usages that break the operation.
 */
export function rsaPublicKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: pick(jwk, PUBLIC_MEMBERS), format: 'jwk' });
}

export function rsaPrivateKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  return createPrivateKey({ key: pick(jwk, [...PUBLIC_MEMBERS, ...PRIVATE_MEMBERS]), format: 'jwk' });
}

export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_MEMBERS.some((m) => m in jwk) || 'oth' in jwk || 'k' in jwk;
}

export function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

function pick(jwk: Record<string, unknown>, members: readonly string[]): JsonWebKey {
  const out: JsonWebKey = {};
  for (const m of members) if (jwk[m] !== undefined) out[m] = jwk[m];
  return out;
}
