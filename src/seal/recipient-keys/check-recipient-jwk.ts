import type { KeyObject, webcrypto } from 'node:crypto';
import { rsaOaepEncryptionKey } from '../lib/webcrypto-import.js';
import { checkRsaJwk } from './check-rsa-jwk.js';
import { checkX5c } from './check-x5c.js';
import type { CertificateChainCheck } from './key-source.js';
import type { RecipientKeyPolicy } from './policy.js';

/** A destination's encryption key, checked and imported: what messages are sealed to. */
export interface RecipientEncryptionKey {
  kid: string;
  /** WebCrypto RSA-OAEP-256 public key (usages encrypt, wrapKey). */
  key: webcrypto.CryptoKey;
  modulusBits: number;
}

/** A destination's receipt key (PS512): verifies the signed events (SETs) the recipient sends. */
export interface RecipientReceiptKey {
  kid: string;
  key: KeyObject;
  modulusBits: number;
}

export async function checkEncryptionJwk(
  jwk: Record<string, unknown>,
  policy: RecipientKeyPolicy,
  chain: CertificateChainCheck = 'policy',
): Promise<RecipientEncryptionKey> {
  const { kid, key } = checkRsaJwk(jwk, 'encryption', policy);
  await checkX5c(jwk, kid, key, 'encryption', policy, chain);
  return { kid, key: await rsaOaepEncryptionKey(key), modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}

export async function checkReceiptJwk(
  jwk: Record<string, unknown>,
  policy: RecipientKeyPolicy,
  chain: CertificateChainCheck = 'policy',
): Promise<RecipientReceiptKey> {
  const { kid, key } = checkRsaJwk(jwk, 'receipt', policy);
  await checkX5c(jwk, kid, key, 'receipt', policy, chain);
  return { kid, key, modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}
