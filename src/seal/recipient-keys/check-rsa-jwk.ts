import type { KeyObject } from 'node:crypto';
import { hasPrivateMembers, modulusBits, rsaPublicKeyFromJwk } from '../../receiver/lib/rsa-jwk.js';
import { recipientKeyError } from '../lib/errors.js';
import { KEY_PURPOSES, type KeyPurpose, type RecipientKeyPolicy } from './policy.js';

/**
 * The policy checks of a recipient JWK that need no certificate: a public RSA key with a `kid`, long
 * enough, and — where present — `alg`, `use` and `key_ops` fit for the purpose. `key_ops` is checked
 * here and then dropped: the import uses the key material only (WebCrypto maps `key_ops: ["wrapKey"]`
 * to usages that break RSA-OAEP encryption).
 */
export function checkRsaJwk(
  jwk: Record<string, unknown>,
  purpose: KeyPurpose,
  policy: RecipientKeyPolicy,
): { kid: string; key: KeyObject } {
  const expected = KEY_PURPOSES[purpose];
  const kid = jwk.kid;
  if (typeof kid !== 'string' || kid === '') throw recipientKeyError('no-kid', `the ${purpose} key has no kid`);
  const fail = (reason: Parameters<typeof recipientKeyError>[0], detail: string) =>
    recipientKeyError(reason, `the ${purpose} key "${kid}" ${detail}`, kid);
  if (hasPrivateMembers(jwk))
    throw fail('private-members', 'contains private key members: configure the public key only');
  if (jwk.kty !== 'RSA') throw fail('not-rsa', `is not an RSA key (kty ${JSON.stringify(jwk.kty)})`);
  if (jwk.alg !== undefined && jwk.alg !== expected.alg)
    throw fail('wrong-alg', `has alg ${JSON.stringify(jwk.alg)}, expected ${expected.alg}`);
  if (jwk.use !== undefined && jwk.use !== expected.use)
    throw fail('wrong-use', `has use ${JSON.stringify(jwk.use)}, expected ${expected.use}`);
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes(expected.keyOp)) {
      throw fail(
        'missing-key-op',
        `has key_ops ${JSON.stringify(jwk.key_ops)}, which must include "${expected.keyOp}"`,
      );
    }
  }
  let key: KeyObject;
  try {
    key = rsaPublicKeyFromJwk(jwk);
  } catch (error) {
    throw fail('unreadable', `cannot be imported: ${(error as Error).message}`);
  }
  const bits = modulusBits(key);
  if (bits < policy.minModulusBits)
    throw fail('modulus-too-small', `has a ${bits}-bit modulus, at least ${policy.minModulusBits} bits are required`);
  return { kid, key };
}
