import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyCallback } from '../../../src/sources/fitconnect/callback-signature.js';

/** FIT-Connect's callback check (PROTOCOL.md §4): hex HMAC-SHA512 over `timestamp.body`, 5 minutes either way. */
describe('verifyCallback', () => {
  const secret = 'the-destination-callback-secret';
  const body =
    '{"type":"https://schema.fitko.de/fit-connect/submission-api/callbacks/new-submissions","submissions":[]}';
  const now = new Date('2027-01-01T12:00:00Z');
  const seconds = Math.floor(now.getTime() / 1000);
  const sign = (timestamp: string, text = body, key = secret) =>
    createHmac('sha512', key).update(`${timestamp}.${text}`).digest('hex');

  it('takes a callback signed with the secret, within 5 minutes in either direction', () => {
    for (const offset of [0, -300, 300]) {
      const timestamp = String(seconds + offset);
      expect(verifyCallback({ secret, authentication: sign(timestamp), timestamp, body, now })).toEqual({ ok: true });
    }
    // upper-case hex is the same bytes
    const timestamp = String(seconds);
    expect(verifyCallback({ secret, authentication: sign(timestamp).toUpperCase(), timestamp, body, now }).ok).toBe(
      true,
    );
  });

  it('refuses a stale or future timestamp, another secret, another body and missing headers', () => {
    const old = String(seconds - 301);
    expect(verifyCallback({ secret, authentication: sign(old), timestamp: old, body, now })).toEqual({
      ok: false,
      reason: 'timestamp-outside-window',
    });
    const future = String(seconds + 301);
    expect(verifyCallback({ secret, authentication: sign(future), timestamp: future, body, now }).ok).toBe(false);
    const timestamp = String(seconds);
    expect(verifyCallback({ secret, authentication: sign(timestamp, body, 'other'), timestamp, body, now })).toEqual({
      ok: false,
      reason: 'signature-invalid',
    });
    expect(verifyCallback({ secret, authentication: sign(timestamp), timestamp, body: `${body} `, now }).ok).toBe(
      false,
    );
    // the old base64 form is not taken (FIT-Connect changed to hex in 2021)
    const base64 = Buffer.from(sign(timestamp), 'hex').toString('base64');
    expect(verifyCallback({ secret, authentication: base64, timestamp, body, now }).ok).toBe(false);
    expect(verifyCallback({ secret, authentication: undefined, timestamp, body, now })).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifyCallback({ secret, authentication: sign('1e9'), timestamp: '1e9', body, now })).toEqual({
      ok: false,
      reason: 'timestamp-invalid',
    });
  });
});
