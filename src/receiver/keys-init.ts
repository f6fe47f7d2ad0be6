import { generateKeyPair, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { JsonWebKeySet } from './pinned-jwks.js';
import { ReceiverError } from './errors.js';

const generate = promisify(generateKeyPair);

/** File names `receiverKeysInit` writes into its folder. */
export const RECEIVER_KEY_FILES = {
  encryption: 'encryption.private-jwk.json',
  signing: 'signing.private-jwk.json',
  publicJwks: 'public-jwks.json',
} as const;

export interface ReceiverKeysInitOptions {
  /** Start of both kids, e.g. the destination id: `<prefix>-enc-<thumbprint…>`. Default `receiver`. */
  kidPrefix?: string;
}

export interface ReceiverKeysInitResult {
  /** The public keys to register with the gateway operator (encryption key + receipt signing key). */
  publicJwks: JsonWebKeySet;
  encryptionKid: string;
  signingKid: string;
  files: { encryption: string; signing: string; publicJwks: string };
}

/**
 * Creates the receiver's key pairs: RSA-4096 for RSA-OAEP-256 (messages are sealed to it) and RSA-4096
 * for PS512 (it signs the receiver's receipts). Private keys are written as JWK files readable by the
 * owner only (0600, folder 0700); existing files are never overwritten.
 */
export async function receiverKeysInit(
  dir: string,
  options: ReceiverKeysInitOptions = {},
): Promise<ReceiverKeysInitResult> {
  const files = {
    encryption: join(dir, RECEIVER_KEY_FILES.encryption),
    signing: join(dir, RECEIVER_KEY_FILES.signing),
    publicJwks: join(dir, RECEIVER_KEY_FILES.publicJwks),
  };
  const existing = Object.values(files).filter((f) => existsSync(f));
  if (existing.length > 0)
    throw new ReceiverError('key-files-exist', `refusing to overwrite existing key files: ${existing.join(', ')}`);
  const prefix = options.kidPrefix ?? 'receiver';
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(prefix))
    throw new ReceiverError(
      'invalid-kid-prefix',
      'the kid prefix must be 1–40 letters, digits, dots, hyphens or underscores',
    );

  const [enc, sig] = await Promise.all([newRsaKey(), newRsaKey()]);
  const encryptionKid = `${prefix}-enc-${(await calculateJwkThumbprint(publicJwk(enc))).slice(0, 16)}`;
  const signingKid = `${prefix}-sig-${(await calculateJwkThumbprint(publicJwk(sig))).slice(0, 16)}`;
  const encPublic = { ...publicJwk(enc), kid: encryptionKid, alg: 'RSA-OAEP-256', use: 'enc', key_ops: ['wrapKey'] };
  const sigPublic = { ...publicJwk(sig), kid: signingKid, alg: 'PS512', use: 'sig', key_ops: ['verify'] };
  const publicJwks: JsonWebKeySet = { keys: [encPublic, sigPublic] };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (file: string, value: unknown, mode: number) => {
    writeFileSync(file, JSON.stringify(value, null, 2) + '\n', { mode, flag: 'wx' });
  };
  write(
    files.encryption,
    { ...(enc.export({ format: 'jwk' }) as JWK), kid: encryptionKid, alg: 'RSA-OAEP-256', use: 'enc' },
    0o600,
  );
  write(files.signing, { ...(sig.export({ format: 'jwk' }) as JWK), kid: signingKid, alg: 'PS512', use: 'sig' }, 0o600);
  write(files.publicJwks, publicJwks, 0o644);
  return { publicJwks, encryptionKid, signingKid, files };
}

async function newRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generate('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  return privateKey;
}

function publicJwk(privateKey: KeyObject): { kty: string; n: string; e: string } {
  const { kty, n, e } = privateKey.export({ format: 'jwk' });
  return { kty: kty ?? 'RSA', n: n ?? '', e: e ?? '' };
}
