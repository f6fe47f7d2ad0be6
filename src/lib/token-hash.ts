import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Bearer tokens are high-entropy random strings, so a plain SHA-256 is enough to keep them out of
 * config and store; personal data never goes through this (that takes an HMAC, see intake/keyed-hash.ts).
 */
export const tokenHashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 hex digits');

export function hashToken(token: string): string {
  return 'sha256:' + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares a presented token with stored hashes in constant time per hash. */
export function tokenMatches(token: string, hashes: readonly string[]): boolean {
  const presented = Buffer.from(hashToken(token), 'utf8');
  let found = false;
  for (const hash of hashes) {
    const stored = Buffer.from(hash, 'utf8');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = true;
  }
  return found;
}

/** The hashes of a portal's tokens that are valid at `now` (a rotated-out token until its notAfter). */
export function activeTokenHashes(
  tokens: readonly { hash: string; notAfter?: string | undefined }[],
  now: Date,
): string[] {
  return tokens.filter((t) => t.notAfter === undefined || Date.parse(t.notAfter) > now.getTime()).map((t) => t.hash);
}
