import { createHmac, timingSafeEqual } from 'node:crypto';

/** FIT-Connect's callbacks must be at most this old (PROTOCOL.md §4); a timestamp this far ahead is refused too. */
const windowSeconds = 300;

export type CallbackVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'timestamp-invalid' | 'timestamp-outside-window' | 'signature-invalid' };

/**
 * Checks a FIT-Connect callback: `callback-authentication` is the hex HMAC-SHA512 of `"<callback-timestamp>.<body>"`
 * with the destination's callback secret, and the timestamp (Unix seconds) lies within 5 minutes of now, in
 * either direction. The comparison is constant-time. The body is the raw text as received.
 */
export function verifyCallback(input: {
  secret: string;
  authentication: string | undefined;
  timestamp: string | undefined;
  body: string;
  now: Date;
}): CallbackVerdict {
  const { authentication, timestamp } = input;
  if (!authentication || !timestamp) return { ok: false, reason: 'missing-headers' };
  if (!/^[0-9]{1,12}$/.test(timestamp)) return { ok: false, reason: 'timestamp-invalid' };
  if (Math.abs(input.now.getTime() / 1000 - Number(timestamp)) > windowSeconds)
    return { ok: false, reason: 'timestamp-outside-window' };
  const expected = createHmac('sha512', input.secret).update(`${timestamp}.${input.body}`, 'utf8').digest();
  const given = /^[0-9a-fA-F]{128}$/.test(authentication) ? Buffer.from(authentication, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature-invalid' };
  return { ok: true };
}
