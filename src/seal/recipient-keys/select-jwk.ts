import { recipientKeyError } from '../lib/errors.js';
import { KEY_PURPOSES, type KeyPurpose } from './policy.js';

/**
 * Picks the key of a JWK Set: by `kid` when one is named, otherwise the one RSA key that is not marked
 * for another purpose (`use`, `alg`, `key_ops`). None or several → a clear error.
 */
export function selectJwk(
  keys: readonly Record<string, unknown>[],
  purpose: KeyPurpose,
  kid: string | undefined,
  url: string,
): Record<string, unknown> {
  if (kid !== undefined) {
    const found = keys.filter((k) => k.kid === kid);
    const [only, ...others] = found;
    if (!only) throw recipientKeyError('kid-not-found', `the JWKS at ${url} has no key with kid "${kid}"`, kid);
    if (others.length > 0)
      throw recipientKeyError('ambiguous-key', `the JWKS at ${url} has ${found.length} keys with kid "${kid}"`, kid);
    return only;
  }
  const candidates = purposeCandidates(keys, purpose);
  const [only] = candidates;
  if (!only) throw recipientKeyError('kid-not-found', `the JWKS at ${url} has no RSA ${purpose} key`);
  if (candidates.length > 1) {
    throw recipientKeyError(
      'ambiguous-key',
      `the JWKS at ${url} has ${candidates.length} ${purpose} keys (${candidates.map((k) => String(k.kid)).join(', ')}): name one with "kid"`,
    );
  }
  return only;
}

/** RSA keys of a set that are not marked for another purpose. */
export function purposeCandidates(
  keys: readonly Record<string, unknown>[],
  purpose: KeyPurpose,
): Record<string, unknown>[] {
  const expected = KEY_PURPOSES[purpose];
  return keys.filter(
    (k) =>
      k.kty === 'RSA' &&
      (k.use === undefined || k.use === expected.use) &&
      (k.alg === undefined || k.alg === expected.alg) &&
      (!Array.isArray(k.key_ops) || k.key_ops.includes(expected.keyOp)),
  );
}
