import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError, ConfigError } from '../lib/errors.js';
import { readSecret, type SecretRef } from '../lib/secret-ref.js';

/**
 * How a secret's text becomes the key's bytes — one reading, wherever the text comes from (the development file
 * in the data dir, a `file:` or an `env:` reference): `base64url:<…>` is the decoded bytes, any other text its
 * UTF-8 bytes. So the development file named as `hmacSecret: file:…` (as on moving to PostgreSQL) gives the same
 * key, and the hashes stored before the move still match.
 */
const encodedPrefix = 'base64url:';

function secretBytes(text: string): Buffer {
  return text.startsWith(encodedPrefix)
    ? Buffer.from(text.slice(encodedPrefix.length), 'base64url')
    : Buffer.from(text, 'utf8');
}

/**
 * The HMAC secret for keyed hashes. Configured by reference in production; for development on SQLite
 * it is created once in the data dir (owner-only) and reused, so idempotency survives restarts. With a
 * store shared by several instances every instance needs the same secret (an idempotency key must be
 * recognised whichever instance answers), so one made by a single instance is refused there.
 */
export function loadHmacSecret(
  ref: SecretRef | undefined,
  configDir: string,
  dataDir: string,
  storeKind = 'sqlite',
): { secret: Buffer; generated: boolean } {
  if (ref) {
    const value = readSecret(ref, configDir);
    const secret = secretBytes(value);
    if (secret.length < 32)
      throw new ConfigError(
        `hmacSecret (${ref}): the HMAC secret must be at least 32 bytes (characters, or decoded bytes after "${encodedPrefix}")`,
      );
    return { secret, generated: false };
  }
  if (storeKind !== 'sqlite') {
    throw new AmtsboteError(
      'invalid-config',
      `no hmacSecret configured: with the ${storeKind} store every instance needs the same secret — set hmacSecret: env:NAME or file:path in gateway.yaml; it is created in the data dir only for development on SQLite`,
    );
  }
  const file = developmentSecretFile(dataDir);
  if (file) return { secret: secretBytes(readFileSync(file, 'utf8').trim()), generated: false };
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(join(dir, 'hmac.secret'), encodedPrefix + secret.toString('base64url') + '\n', {
    mode: 0o600,
    flag: 'wx',
  });
  return { secret, generated: true };
}

/**
 * The development secret of a data dir (`keys/hmac.secret`), if there is one, in the form every reading agrees
 * on. Releases before 0.2.0 wrote the bare base64url text, which only this file's own reading decoded: such a
 * file is rewritten with the prefix (the same bytes), so that naming it as `hmacSecret: file:…` keeps the key.
 */
export function developmentSecretFile(dataDir: string): string | undefined {
  const file = join(dataDir, 'keys', 'hmac.secret');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').trim();
  if (!text.startsWith(encodedPrefix)) {
    const partial = `${file}.rewriting`;
    writeFileSync(partial, encodedPrefix + text + '\n', { mode: 0o600 });
    renameSync(partial, file);
  }
  return file;
}
