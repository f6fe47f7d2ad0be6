import type { webcrypto } from 'node:crypto';
import { ConfigError } from '../../lib/errors.js';
import { checkRsa, importSigningKey } from '../../seal/gateway-keys/import-signing-key.js';
import { parsePrivateKey } from '../../seal/gateway-keys/read-private-key.js';
import type { GatewaySigningKey } from '../../seal/gateway-keys/types.js';
import { rsaOaepDecryptionKey } from '../../seal/lib/webcrypto-import.js';

/**
 * A destination's private decryption keys (RSA-OAEP-256), imported once, by `kid`: several during a key rotation,
 * the JWE header's `kid` chooses. Senders encrypt to the destination's `encryptionKid`, the JWK's own `kid`.
 */
export type DecryptionKeys = ReadonlyMap<string, webcrypto.CryptoKey>;

/** The key a destination signs its accept and reject SETs with (PS512); its public half is registered there. */
export type SubscriberSigningKey = GatewaySigningKey;

/** A private key file's text and where it came from (for messages). */
export interface PrivateKeyText {
  text: string;
  origin: string;
}

/**
 * Imports the decryption keys once (private RSA JWKs or PEM with a kid, ≥ 4096 bits as FIT-Connect requires). A key
 * without a kid, or a kid twice, is a configuration error: the kid is how a JWE names its key.
 */
export async function importDecryptionKeys(files: readonly PrivateKeyText[]): Promise<DecryptionKeys> {
  const keys = new Map<string, webcrypto.CryptoKey>();
  for (const file of files) {
    const { key, kid } = parsePrivateKey(file.text, file.origin);
    checkRsa(key, file.origin);
    if (kid === undefined) throw new ConfigError(`${file.origin}: the decryption key must be a JWK with a kid`);
    if (keys.has(kid)) throw new ConfigError(`${file.origin}: another decryption key has the kid ${kid}`);
    keys.set(kid, await rsaOaepDecryptionKey(key));
  }
  return keys;
}

/** Imports the destination's SET signing key once (PS512, RSA ≥ 4096); its kid is the JWK's own. */
export async function importSubscriberSigningKey(file: PrivateKeyText): Promise<SubscriberSigningKey> {
  const { key, kid } = parsePrivateKey(file.text, file.origin);
  if (kid === undefined)
    throw new ConfigError(`${file.origin}: the signing key must be a JWK with the kid registered at the destination`);
  return importSigningKey(key, kid, file.origin);
}
