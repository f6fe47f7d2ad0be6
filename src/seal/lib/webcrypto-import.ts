import { webcrypto, type KeyObject } from 'node:crypto';

/**
 * KeyObject → non-extractable CryptoKey, once, so jose runs the operation through WebCrypto, which
 * works asynchronously on the thread pool (both cores) instead of blocking the event loop.
 * (Node 20 has no KeyObject#toCryptoKey; the JWK export is the portable route.)
 */
export async function rsaPssSigningKey(privateKey: KeyObject): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('jwk', rsaJwk(privateKey), { name: 'RSA-PSS', hash: 'SHA-512' }, false, ['sign']);
}

export async function rsaOaepEncryptionKey(publicKey: KeyObject): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('jwk', rsaJwk(publicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, [
    'encrypt',
    'wrapKey',
  ]);
}

export async function rsaOaepDecryptionKey(privateKey: KeyObject): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('jwk', rsaJwk(privateKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, [
    'decrypt',
    'unwrapKey',
  ]);
}

/** Only the key material: `alg`, `use`, `key_ops` would constrain the WebCrypto import. */
function rsaJwk(key: KeyObject): webcrypto.JsonWebKey {
  const { kty, n, e, d, p, q, dp, dq, qi } = key.export({ format: 'jwk' });
  return key.type === 'private' ? { kty, n, e, d, p, q, dp, dq, qi } : { kty, n, e };
}
