import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  destinationIdSchema,
  regionKeySchema,
  regionPrefixSchema,
  serviceKeySchema,
} from '../../src/config/identifiers.js';
import { instantSchema, routingRuleSchema } from '../../src/config/routing-schema.js';
import { zodFieldErrors } from '../../src/lib/zod-field-errors.js';

const errorsOf = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to be refused');
  return zodFieldErrors(parsed.error);
};

describe('field error codes', () => {
  it('names each identifier pattern by a code of its own (a changed pattern fails here, not on the page)', () => {
    expect(errorsOf(serviceKeySchema, '9905')[0]).toMatchObject({
      code: 'leika-key',
      detail: 'must be a 14-digit LeiKa key',
    });
    expect(errorsOf(regionKeySchema, '1471x')[0]).toMatchObject({ code: 'ars' });
    expect(errorsOf(regionPrefixSchema, '1')[0]).toMatchObject({ code: 'ars-prefix' });
    expect(errorsOf(destinationIdSchema, 'Leipzig!')[0]).toMatchObject({ code: 'destination-id' });
  });

  it('says what is missing, too short, of the wrong type, unknown or not a date, with the values the text needs', () => {
    const schema = z.strictObject({
      note: z.string().min(3),
      list: z.array(z.string()).min(1),
      flag: z.boolean(),
      at: instantSchema,
      max: z.string().max(2),
    });
    const errors = errorsOf(schema, { note: 'x', list: [], flag: 'yes', at: 'morgen', max: 'abc', extra: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/note', code: 'too-short', params: { minimum: 3 } }),
        expect.objectContaining({ pointer: '/list', code: 'too-few', params: { minimum: 1 } }),
        expect.objectContaining({ pointer: '/flag', code: 'wrong-type', params: { expected: 'boolean' } }),
        expect.objectContaining({ pointer: '/at', code: 'date' }),
        expect.objectContaining({ pointer: '/max', code: 'too-long', params: { maximum: 2 } }),
        expect.objectContaining({ pointer: '/extra', code: 'unknown-field' }),
      ]),
    );
    expect(errorsOf(z.strictObject({ note: z.string() }), {})[0]).toMatchObject({ pointer: '/note', code: 'required' });
  });

  it('takes the code of a custom check from its params, and keeps the English detail', () => {
    const rule = {
      service: '99050012104000',
      region: '14',
      destinations: ['a1'],
      validFrom: '2027-01-01',
      validUntil: '2026-01-01',
    };
    expect(errorsOf(routingRuleSchema, rule)).toEqual([
      { pointer: '/validUntil', detail: 'validUntil must be after validFrom', code: 'until-before-from', params: {} },
    ]);
  });
});
