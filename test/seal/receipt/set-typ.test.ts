import { describe, expect, it } from 'vitest';
import { isSeceventTyp } from '../../../src/seal/receipt/set-typ.js';

describe('isSeceventTyp (RFC 7515 §4.1.9)', () => {
  it('takes application/secevent+jwt with or without application/, in any case', () => {
    for (const typ of ['secevent+jwt', 'application/secevent+jwt', 'Secevent+JWT', 'APPLICATION/SECEVENT+JWT'])
      expect(isSeceventTyp(typ), typ).toBe(true);
  });
  it('refuses other media types, a missing typ and look-alikes', () => {
    for (const typ of [undefined, '', 'JWT', 'jose', 'application/jwt', 'text/secevent+jwt', 'secevent+jwt+x', 7])
      expect(isSeceventTyp(typ), String(typ)).toBe(false);
  });
});
