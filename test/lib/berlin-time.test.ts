import { describe, expect, it } from 'vitest';
import { berlinDay, berlinOffsetName } from '../../src/lib/berlin-time.js';

describe('berlin-time', () => {
  it("gives the German calendar day, which differs from UTC's in the hours around midnight", () => {
    expect(berlinDay(new Date('2026-01-15T22:59:59Z'))).toBe('2026-01-15');
    expect(berlinDay(new Date('2026-01-15T23:00:00Z'))).toBe('2026-01-16'); // winter: +01:00
    expect(berlinDay(new Date('2026-07-15T21:59:59Z'))).toBe('2026-07-15');
    expect(berlinDay(new Date('2026-07-15T22:00:00Z'))).toBe('2026-07-16'); // summer: +02:00
  });

  it('names the offset on both sides of the switch to summer time (29 March 2026, 01:00 UTC)', () => {
    expect(berlinOffsetName(new Date('2026-03-29T00:59:59Z'))).toBe('GMT+01:00');
    expect(berlinOffsetName(new Date('2026-03-29T01:00:00Z'))).toBe('GMT+02:00');
  });
});
