import { describe, expect, it } from 'vitest';
import { destinationHealth } from '../../../src/http/admin/destination-routes.js';

const now = new Date('2026-12-07T12:00:00Z');
const calm = { destinationId: 'x', waiting: 0, deadLetters: 0 };

describe('destinationHealth', () => {
  it('a FIT-Connect destination that would reject what the routing sends it is misconfigured, whatever its circuit', () => {
    expect(destinationHealth(true, 'closed', calm, now, 'misconfigured')).toBe('misconfigured');
    expect(destinationHealth(true, 'open', calm, now, 'misconfigured')).toBe('misconfigured');
    // Switched off is said first: nothing is sent there anyway.
    expect(destinationHealth(false, 'closed', calm, now, 'misconfigured')).toBe('disabled');
  });

  it('a destination that takes everything, or could not be read, is judged by its deliveries as before', () => {
    expect(destinationHealth(true, 'closed', calm, now, 'accepted')).toBe('ok');
    expect(destinationHealth(true, 'closed', calm, now, 'unknown')).toBe('ok');
    expect(destinationHealth(true, 'open', calm, now, 'accepted')).toBe('down');
    expect(destinationHealth(true, 'half-open', calm, now)).toBe('degraded');
  });
});
