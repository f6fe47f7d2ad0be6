import { readFileSync, statSync } from 'node:fs';
import { gatewayKeyError } from './errors.js';

/** Reads a key file, refusing one that group or others may read (POSIX), like ssh and TLS servers do. */
export function readOwnerOnlyFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    throw gatewayKeyError(`cannot read the key file ${file}: ${(error as Error).message}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw gatewayKeyError(
      `the key file ${file} is readable by group or others (mode ${mode.toString(8).padStart(3, '0')}): run "chmod 600 ${file}"`,
    );
  }
  return readFileSync(file, 'utf8');
}
