import { KeyObject, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { KeyResolver } from './key-resolver.js';
import { isInlineSource, isProvidedSource, type KeySource } from './key-source.js';
import type { KeyPurpose } from './policy.js';

/** What an operator sees of a destination's key: public facts only. */
export interface KeyDescription {
  /** `provided`: handed out by the destination's delivery service (FIT-Connect), not configured. */
  source: 'jwk' | 'jwks' | 'provided';
  jwksUrl?: string | undefined;
  kid?: string | undefined;
  /** RFC 7638 thumbprint (SHA-256, base64url) of the public key. */
  fingerprint?: string | undefined;
  /** End of validity of the key's `x5c` certificate, where the key has one. */
  notAfter?: string | undefined;
  /** Why the key cannot be used now (resolver or policy message; never key material). */
  problem?: string | undefined;
}

/** Describes a configured key source; a remote one through the resolver's cache (fetching it if needed). */
export async function describeKeySource(
  source: KeySource,
  purpose: KeyPurpose,
  resolver: KeyResolver,
): Promise<KeyDescription> {
  if (isProvidedSource(source)) {
    // A provided receipt key is chosen by each receipt's kid: there is no one key to show ahead of a receipt.
    if (purpose === 'receipt') return { source: 'provided' };
    try {
      const resolved = await resolver.encryptionKey(source);
      return {
        source: 'provided',
        kid: resolved.kid,
        fingerprint: await rsaThumbprint(KeyObject.from(resolved.key).export({ format: 'jwk' })),
      };
    } catch (error) {
      return { source: 'provided', problem: (error as Error).message };
    }
  }
  if (isInlineSource(source)) {
    const jwk = source.jwk;
    return {
      source: 'jwk',
      kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
      fingerprint: await rsaThumbprint(jwk),
      notAfter: certificateNotAfter(jwk),
    };
  }
  try {
    const resolved =
      purpose === 'encryption' ? await resolver.encryptionKey(source) : await resolver.receiptKey(source, source.kid);
    const keyObject = resolved.key instanceof KeyObject ? resolved.key : KeyObject.from(resolved.key);
    return {
      source: 'jwks',
      jwksUrl: source.jwksUrl,
      kid: resolved.kid,
      fingerprint: await rsaThumbprint(keyObject.export({ format: 'jwk' })),
    };
  } catch (error) {
    return { source: 'jwks', jwksUrl: source.jwksUrl, kid: source.kid, problem: (error as Error).message };
  }
}

async function rsaThumbprint(jwk: { n?: unknown; e?: unknown }): Promise<string | undefined> {
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return undefined;
  return calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
}

function certificateNotAfter(jwk: Record<string, unknown>): string | undefined {
  const [leaf] = Array.isArray(jwk.x5c) ? (jwk.x5c as unknown[]) : [];
  if (typeof leaf !== 'string') return undefined;
  try {
    return new Date(new X509Certificate(Buffer.from(leaf, 'base64')).validTo).toISOString();
  } catch {
    // an unreadable certificate is refused when routing loads; nothing to show here
    return undefined;
  }
}
