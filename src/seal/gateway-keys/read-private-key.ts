import { createPrivateKey, type KeyObject } from 'node:crypto';
import { rsaPrivateKeyFromJwk } from '../../receiver/lib/rsa-jwk.js';
import { gatewayKeyError } from '../lib/errors.js';

/** A private key from PEM (PKCS#8 / PKCS#1) or JWK text, with the JWK's `kid` where it has one. */
export function parsePrivateKey(text: string, origin: string): { key: KeyObject; kid?: string } {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string') throw gatewayKeyError('not a private RSA JWK');
      const key = rsaPrivateKeyFromJwk(jwk);
      return typeof jwk.kid === 'string' && jwk.kid !== '' ? { key, kid: jwk.kid } : { key };
    }
    const key = createPrivateKey({ key: trimmed, format: 'pem' });
    return { key };
  } catch (error) {
    throw gatewayKeyError(`${origin}: not a private key in PEM or JWK form (${(error as Error).message})`);
  }
}
