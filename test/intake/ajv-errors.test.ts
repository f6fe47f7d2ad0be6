import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ajvFieldErrors } from '../../src/intake/ajv-errors.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile({
  type: 'object',
  required: ['cause', 'business'],
  additionalProperties: false,
  properties: {
    cause: { type: 'string' },
    business: {
      type: 'object',
      properties: { postcode: { type: 'string', pattern: '^[0-9]{5}$' }, email: { type: 'string', format: 'email' } },
      unevaluatedProperties: false,
    },
    endDate: { type: 'string', format: 'date' },
    changes: { type: 'object', minProperties: 1 },
    latitude: { type: 'number', maximum: 51.7 },
    kind: { enum: ['a', 'b'] },
  },
  if: { properties: { kind: { const: 'a' } }, required: ['kind'] },
  then: { required: ['endDate'] },
});

describe('ajvFieldErrors', () => {
  it('words ajv errors in the voice of the envelope errors and points at the member concerned', () => {
    validate({ business: { postcode: '1234', email: 'nope', extra: 1 }, changes: {}, latitude: 60, kind: 'a', zzz: 1 });
    expect(ajvFieldErrors(validate.errors ?? [], '/data')).toEqual([
      // the `then` error alone: its `if` companion says nothing more
      { pointer: '/data/endDate', detail: 'is required' },
      { pointer: '/data/cause', detail: 'is required' },
      { pointer: '/data/zzz', detail: 'is not a known field' },
      { pointer: '/data/business/postcode', detail: 'does not have the expected form (^[0-9]{5}$)' },
      { pointer: '/data/business/email', detail: 'must be an e-mail address' },
      { pointer: '/data/business/extra', detail: 'is not a known field' },
      { pointer: '/data/changes', detail: 'must not be empty' },
      { pointer: '/data/latitude', detail: 'must be at most 51.7' },
    ]);
  });

  it('keeps the message of a keyword it does not know (the project keywords word their own)', () => {
    const errors = ajvFieldErrors(
      [
        {
          keyword: 'x-din91379',
          instancePath: '/name',
          schemaPath: '#',
          params: {},
          message: 'character 6 is U+0435, which DIN 91379 datatype A does not allow',
        },
      ],
      '/data',
    );
    expect(errors).toEqual([
      { pointer: '/data/name', detail: 'character 6 is U+0435, which DIN 91379 datatype A does not allow' },
    ]);
  });
});
