import { createHash } from 'node:crypto';
import type { Sha512Hash } from '../../receiver/format.js';

/** The format's hash member: SHA-512 of the plain bytes as 128 lower-case hex digits. */
export function sha512(content: Uint8Array): Sha512Hash {
  return { type: 'sha512', content: createHash('sha512').update(content).digest('hex') };
}
