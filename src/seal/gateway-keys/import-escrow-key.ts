import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { gatewayKeyError } from '../lib/errors.js';
import { rsaOaepDecryptionKey, rsaOaepEncryptionKey } from '../lib/webcrypto-import.js';
import { checkRsa } from './import-signing-key.js';
import type { GatewayEscrowKey } from './types.js';

/** Checks a private key for RSA-OAEP-256 (RSA ≥ 4096) and imports both halves once. */
export async function importEscrowKey(
  privateKey: KeyObject,
  kid: string | undefined,
  origin: string,
): Promise<GatewayEscrowKey> {
  checkRsa(privateKey, origin);
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw gatewayKeyError(`${origin}: cannot export the public key`);
  return {
    kid: kid ?? (await calculateJwkThumbprint({ kty: 'RSA', n, e })),
    privateKey: await rsaOaepDecryptionKey(privateKey),
    publicKey: await rsaOaepEncryptionKey(publicKey),
  };
}
