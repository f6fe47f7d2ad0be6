import type { KeyObject } from 'node:crypto';
import { ReceiverError } from './errors.js';
import { JWE_ALG } from './format.js';
import { hasPrivateMembers, modulusBits, rsaPublicKeyFromJwk } from './lib/rsa-jwk.js';

/** The portal's public reply key, checked and imported: what every part of a reply is encrypted to. */
export interface ReplyEncryptionKey {
  kid: string;
  key: KeyObject;
}

/**
 * Checks the portal's reply key as the gateway checks recipients' encryption keys: a public RSA JWK of at least
 * 4096 bits with a `kid`, for RSA-OAEP-256 (`alg`, `use: enc` and `key_ops` containing `wrapKey`, where
 * present). A JWK Set with exactly one key is taken as that key.
 */
export function prepareReplyKey(input: unknown): ReplyEncryptionKey {
  const jwk = singleJwk(input);
  const kid = jwk.kid;
  if (typeof kid !== 'string' || kid === '') throw refuse('the reply key has no kid');
  if (hasPrivateMembers(jwk)) throw refuse(`the reply key "${kid}" contains private members: give the public half`);
  if (jwk.kty !== 'RSA') throw refuse(`the reply key "${kid}" is not an RSA key`);
  if (jwk.alg !== undefined && jwk.alg !== JWE_ALG) throw refuse(`the reply key "${kid}" is not for ${JWE_ALG}`);
  if (jwk.use !== undefined && jwk.use !== 'enc') throw refuse(`the reply key "${kid}" is not an encryption key`);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('wrapKey')))
    throw refuse(`the reply key "${kid}" does not allow "wrapKey"`);
  let key: KeyObject;
  try {
    key = rsaPublicKeyFromJwk(jwk);
  } catch (error) {
    throw refuse(`the reply key "${kid}" cannot be imported: ${(error as Error).message}`);
  }
  if (modulusBits(key) < 4096) throw refuse(`the reply key "${kid}" has ${modulusBits(key)} bits, fewer than 4096`);
  return { kid, key };
}

function singleJwk(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw refuse('the reply key is not a JWK');
  const keys = (input as { keys?: unknown }).keys;
  if (keys === undefined) return input as Record<string, unknown>;
  if (!Array.isArray(keys) || keys.length !== 1) throw refuse('a reply key JWK Set must hold exactly one key');
  return singleJwk(keys[0]);
}

function refuse(message: string): ReceiverError {
  return new ReceiverError('invalid-reply-key', message);
}
