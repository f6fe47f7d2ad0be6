import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError, ConfigError } from '../lib/errors.js';
import { readSecret, type SecretRef } from '../lib/secret-ref.js';

/**
 * The HMAC secret for keyed hashes. Configured by reference in production; for development on SQLite
 * it is created once in the data dir (owner-only) and reused, so idempotency survives restarts. With a
 * store shared by several instances every instance needs the same secret (an idempotency key must be
 * recognised whichever instance answers), so one made by a single instance is refused there.
 */
export function loadHmacSecret(ref: SecretRef | undefined, configDir: string, dataDir: string, storeKind = 'sqlite'): { secret: Buffer; generated: boolean } {
  if (ref) {
    const value = readSecret(ref, configDir);
    if (value.length < 32) throw new ConfigError('the HMAC secret must be at least 32 characters');
    return { secret: Buffer.from(value, 'utf8'), generated: false };
  }
  if (storeKind !== 'sqlite') {
    throw new AmtsboteError(
      'invalid-config',
      `no hmacSecret configured: with the ${storeKind} store every instance needs the same secret — set hmacSecret: env:NAME or file:path in gateway.yaml; it is created in the data dir only for development on SQLite`,
    );
  }
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'hmac.secret');
  if (existsSync(file)) return { secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'), generated: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, generated: true };
}
