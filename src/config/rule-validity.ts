import { berlinOffsetName } from '../lib/berlin-time.js';

/**
 * Validity windows of routing rules. A plain date means midnight in Germany, whatever the server's zone,
 * because responsibility changes (municipal mergers) take effect at local midnight.
 */

/** Milliseconds since the epoch of an instant as routing writes it. */
export function instantMs(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const utcMidnight = Date.parse(`${value}T00:00:00Z`);
    // Berlin's offset on that day (+01:00 or +02:00), taken at noon to stay clear of the switch hour.
    const name = berlinOffsetName(new Date(utcMidnight + 12 * 3_600_000)) ?? 'GMT+01:00';
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    const offsetMs = match
      ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000
      : 3_600_000;
    return utcMidnight - offsetMs;
  }
  return Date.parse(value);
}

export interface Window {
  validFrom?: string | undefined;
  validUntil?: string | undefined;
}

export function inWindow(window: Window, atMs: number): boolean {
  if (window.validFrom !== undefined && atMs < instantMs(window.validFrom)) return false;
  if (window.validUntil !== undefined && atMs >= instantMs(window.validUntil)) return false;
  return true;
}

export function windowsOverlap(a: Window, b: Window): boolean {
  const aFrom = a.validFrom ? instantMs(a.validFrom) : -Infinity;
  const aUntil = a.validUntil ? instantMs(a.validUntil) : Infinity;
  const bFrom = b.validFrom ? instantMs(b.validFrom) : -Infinity;
  const bUntil = b.validUntil ? instantMs(b.validUntil) : Infinity;
  return aFrom < bUntil && bFrom < aUntil;
}
