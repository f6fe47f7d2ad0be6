import { describe, expect, it } from 'vitest';
import { errorAsData, errorFromData } from '../../../src/intake/pool/errors-as-data.js';
import { AmtsboteError, ConfigError } from '../../../src/lib/errors.js';

describe('errors as data', () => {
  it('a problem survives structured clone with everything its problem document is made of', () => {
    const original = new AmtsboteError('invalid-data', "The data does not match the service's schema.", [
      { pointer: '/data/name', detail: 'must be string', code: 'type', params: { type: 'string' } },
    ]);
    const rebuilt = errorFromData(structuredClone(errorAsData(original)));
    expect(rebuilt).toBeInstanceOf(AmtsboteError);
    const parts = (e: AmtsboteError) => ({
      code: e.code,
      message: e.message,
      errors: e.errors,
      extensions: e.extensions,
    });
    expect(parts(rebuilt)).toEqual(parts(original));
  });

  it('keeps the code of a subclass and its extensions', () => {
    const rebuilt = errorFromData(structuredClone(errorAsData(new ConfigError('bad', [], { file: 'x.yaml' }))));
    expect(rebuilt.code).toBe('invalid-config');
    expect(rebuilt.extensions).toEqual({ file: 'x.yaml' });
  });

  it('carries only the class of any other error, never its message (it may quote input)', () => {
    const data = errorAsData(new TypeError('Cannot read Erika Mustermann'));
    expect(JSON.stringify(data)).not.toContain('Erika');
    expect(errorFromData(data).code).toBe('internal');
  });
});
