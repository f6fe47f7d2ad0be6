import { createHash } from 'node:crypto';

export function sha512Hex(content: Uint8Array): string {
  return createHash('sha512').update(content).digest('hex');
}
