import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSecret, type SecretRef } from './secret-ref.js';

/**
 * The HMAC secret for keyed hashes. Configured by reference in production; for development on SQLite
 * it is created once in the data dir (owner-only) and reused, so idempotency survives restarts.
 */
export function loadHmacSecret(ref: SecretRef | undefined, configDir: string, dataDir: string): { secret: Buffer; generated: boolean } {
  if (ref) {
    const value = readSecret(ref, configDir);
    if (value.length < 32) throw new Error('the HMAC secret must be at least 32 characters');
    return { secret: Buffer.from(value, 'utf8'), generated: false };
  }
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'hmac.secret');
  if (existsSync(file)) return { secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'), generated: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, generated: true };
}
