import { createHmac } from 'node:crypto';

/**
 * What the store keeps to recognise content: an HMAC with the gateway's secret, never a bare hash
 * (a bare hash of a birth date or a name can be reversed by trying every value).
 */
export type KeyedHash = (data: string | Buffer) => string;

export function keyedHash(secret: Buffer): KeyedHash {
  return (data) => 'hmac-sha512:' + createHmac('sha512', secret).update(data).digest('base64url');
}
