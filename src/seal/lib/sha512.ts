import type { Sha512Hash } from '../../receiver/format.js';
import { sha512 } from '../../lib/sha512.js';

/** The format's hash member: SHA-512 of the plain bytes as 128 lower-case hex digits. */
export function sha512Hash(content: Uint8Array): Sha512Hash {
  return { type: 'sha512', content: sha512(content) };
}
