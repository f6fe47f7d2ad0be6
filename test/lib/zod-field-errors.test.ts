import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodFieldErrors, zodProblem } from '../../src/lib/zod-field-errors.js';

const errorsOf = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a failure');
  // the wording is this file's subject; the codes beside it are test/field-error-code.test.ts's
  return zodFieldErrors(parsed.error).map(({ pointer, detail }) => ({ pointer, detail }));
};

describe('zodFieldErrors', () => {
  it("words zod's own messages for a person, with no validator wording left", () => {
    const schema = z.strictObject({
      name: z.string(),
      count: z.int().min(3),
      state: z.enum(['pending', 'delivered']),
      at: z.iso.datetime(),
      tags: z.array(z.string()).min(1),
      note: z.string().max(5),
      key: z.string().regex(/^[0-9]{12}$/),
    });
    const errors = errorsOf(schema, {
      count: 1.5,
      state: 'lost',
      at: 'yesterday',
      tags: [],
      note: 'too long',
      key: 'x',
    });
    expect(errors).toEqual([
      { pointer: '/name', detail: 'is required' },
      { pointer: '/count', detail: 'must be a whole number' },
      { pointer: '/state', detail: 'must be one of "pending", "delivered"' },
      { pointer: '/at', detail: 'must be a date and time with a time zone, e.g. 2026-11-25T10:00:00Z' },
      { pointer: '/tags', detail: 'must not be empty' },
      { pointer: '/note', detail: 'must be at most 5 characters long' },
      { pointer: '/key', detail: 'does not have the expected form (/^[0-9]{12}$/)' },
    ]);
    for (const e of errors) expect(e.detail).not.toMatch(/Invalid|expected \w+, received|Too (small|big)/);
  });

  it('points at an unknown key itself, also inside a union that no branch matched', () => {
    expect(errorsOf(z.strictObject({ a: z.string() }), { a: 'x', extra: 1 })).toEqual([
      { pointer: '/extra', detail: 'is not a known field' },
    ]);
    const union = z.union([
      z.strictObject({ serviceKey: z.string(), regionKey: z.string() }),
      z.strictObject({ envelope: z.unknown() }),
    ]);
    // The second branch comes closest (two complaints, against three): it is reported, pointing at the key.
    expect(errorsOf(union, { bogus: 1 })).toEqual([
      { pointer: '/envelope', detail: 'is required' },
      { pointer: '/bogus', detail: 'is not a known field' },
    ]);
    expect(errorsOf(z.strictObject({ body: union }), { body: { serviceKey: 'x' } })).toEqual([
      { pointer: '/body/regionKey', detail: 'is required' },
    ]);
  });

  it("keeps a message the schema's author wrote", () => {
    expect(
      errorsOf(z.strictObject({ note: z.string().trim().min(3, 'a change note is required (why this change)') }), {
        note: ' ',
      }),
    ).toEqual([{ pointer: '/note', detail: 'a change note is required (why this change)' }]);
  });

  it('gives a problem whose detail names the first fields to fix, never the title again', () => {
    const parsed = z.strictObject({ a: z.string(), b: z.string(), c: z.string(), d: z.string() }).safeParse({});
    const problem = zodProblem('invalid-request', 'The portal', parsed.error!);
    expect(problem.code).toBe('invalid-request');
    expect(problem.message).toBe(
      'The portal has 4 fields to fix: /a is required; /b is required; /c is required; and 1 more.',
    );
    expect(problem.errors).toHaveLength(4);
    const whole = z.strictObject({ a: z.string() }).safeParse([]);
    expect(zodProblem('invalid-envelope', 'The envelope', whole.error!).message).toBe(
      'The envelope must be an object.',
    );
  });
});
