import { readFileSync, statSync } from 'node:fs';
import { ReceiverError } from '../errors.js';

/** Reads a private JWK file, refusing one that group or others may read (on POSIX systems). */
export function readPrivateJwkFile(file: string): Record<string, unknown> {
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ReceiverError(
        'key-file-exposed',
        `${file} is readable by group or others (mode ${mode.toString(8).padStart(3, '0')}): run "chmod 600 ${file}"`,
      );
    }
  }
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ReceiverError('not-a-jwk', `${file} is not a JWK`);
  return value as Record<string, unknown>;
}
