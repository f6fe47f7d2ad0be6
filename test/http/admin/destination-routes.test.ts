import { describe, expect, it } from 'vitest';
import { destinationHealth } from '../../../src/http/admin/destination-routes.js';

const now = new Date('2026-12-07T12:00:00Z');
const calm = { destinationId: 'x', waiting: 0, deadLetters: 0 };

describe('destinationHealth', () => {
  it('a FIT-Connect destination that would reject what the routing sends it is misconfigured, whatever its circuit', () => {
    expect(destinationHealth(true, 'closed', calm, now, { offer: 'misconfigured' })).toBe('misconfigured');
    expect(destinationHealth(true, 'open', calm, now, { offer: 'misconfigured' })).toBe('misconfigured');
    // Switched off is said first: nothing is sent there anyway.
    expect(destinationHealth(false, 'closed', calm, now, { offer: 'misconfigured' })).toBe('disabled');
  });

  it('a destination that takes everything, or could not be read, is judged by its deliveries as before', () => {
    expect(destinationHealth(true, 'closed', calm, now, { offer: 'accepted' })).toBe('ok');
    expect(destinationHealth(true, 'closed', calm, now, { offer: 'unknown' })).toBe('ok');
    expect(destinationHealth(true, 'open', calm, now, { offer: 'accepted' })).toBe('down');
    expect(destinationHealth(true, 'half-open', calm, now)).toBe('degraded');
  });
});

describe('destinationHealth with a key that cannot be had', () => {
  it('is key-unavailable, after misconfigured and before the circuit', () => {
    expect(destinationHealth(true, 'open', calm, now, { encryptionKeyProblem: 'keys-unavailable' })).toBe(
      'key-unavailable',
    );
    expect(
      destinationHealth(true, 'closed', calm, now, {
        offer: 'misconfigured',
        encryptionKeyProblem: 'keys-unavailable',
      }),
    ).toBe('misconfigured');
    expect(destinationHealth(false, 'closed', calm, now, { encryptionKeyProblem: 'keys-unavailable' })).toBe(
      'disabled',
    );
  });
});
