import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { gatewayKeyError } from '../lib/errors.js';
import { rsaPssSigningKey } from '../lib/webcrypto-import.js';
import type { GatewaySigningKey, PublicSigningJwk } from './types.js';

export const GATEWAY_MIN_MODULUS_BITS = 4096;

/** Checks a private key for PS512 (RSA ≥ 4096) and imports it once for signing. */
export async function importSigningKey(
  privateKey: KeyObject,
  kid: string | undefined,
  origin: string,
): Promise<GatewaySigningKey> {
  checkRsa(privateKey, origin);
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw gatewayKeyError(`${origin}: cannot export the public key`);
  const resolvedKid = kid ?? (await calculateJwkThumbprint({ kty: 'RSA', n, e }));
  const publicJwk: PublicSigningJwk = { kty: 'RSA', n, e, kid: resolvedKid, alg: 'PS512', use: 'sig' };
  return { kid: resolvedKid, privateKey: await rsaPssSigningKey(privateKey), publicKey, publicJwk };
}

export function checkRsa(privateKey: KeyObject, origin: string): void {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw gatewayKeyError(
      `${origin}: must be an RSA private key (found ${privateKey.asymmetricKeyType ?? privateKey.type})`,
    );
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < GATEWAY_MIN_MODULUS_BITS)
    throw gatewayKeyError(`${origin}: the RSA key has ${bits} bits, at least ${GATEWAY_MIN_MODULUS_BITS} are required`);
}
