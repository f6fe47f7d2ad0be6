import { createHash } from 'node:crypto';

/**
 * SHA-512 of bytes, the one digest the sealed formats and the idempotency fingerprint use: hex where a format
 * says so (`amtsbote-sealed/1` and FIT-Connect hash members), base64url where it is only compared.
 */
export function sha512(content: Uint8Array, encoding: 'hex' | 'base64url' = 'hex'): string {
  return createHash('sha512').update(content).digest(encoding);
}
