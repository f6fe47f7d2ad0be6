import { describe, expect, it } from 'vitest';
import {
  AmtsboteError,
  ConfigError,
  ConflictError,
  InvalidRequestError,
  isAmtsboteError,
  NotFoundError,
  UnavailableError,
} from '../../src/lib/errors.js';

// Each class with the code it always carries, in the manner of jose's errors (`JWEInvalid.code`).
const classes = [
  [ConfigError, 'invalid-config'],
  [InvalidRequestError, 'invalid-request'],
  [NotFoundError, 'not-found'],
  [ConflictError, 'conflict'],
  [UnavailableError, 'unavailable'],
] as const;

describe('the typed errors of lib/errors.ts', () => {
  it.each(classes)(
    '%o carries its code on the class and on each error, its own name, and is an AmtsboteError',
    (Class, code) => {
      const error = new Class('what is wrong');
      expect(Class.code).toBe(code);
      expect(error.code).toBe(code);
      expect(error.name).toBe(Class.name);
      expect(error.message).toBe('what is wrong');
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(AmtsboteError);
      expect(error).toBeInstanceOf(Error);
      expect(isAmtsboteError(error)).toBe(true);
      expect(error.errors).toEqual([]);
      expect(error.extensions).toEqual({});
    },
  );

  it('tells the classes apart: one is never an instance of another', () => {
    for (const [Class] of classes) {
      for (const [Other] of classes) if (Other !== Class) expect(new Class('x')).not.toBeInstanceOf(Other);
    }
  });

  it('keeps the general form: any problem code, field errors, extensions, a cause', () => {
    const cause = new Error('underneath');
    const error = new AmtsboteError(
      'invalid-data',
      'the data is invalid',
      [{ pointer: '/data/name', detail: 'is required', code: 'required' }],
      { file: 'x' },
      { cause },
    );
    expect(error.name).toBe('AmtsboteError');
    expect(error.code).toBe('invalid-data');
    expect(error.errors).toEqual([{ pointer: '/data/name', detail: 'is required', code: 'required' }]);
    expect(error.extensions).toEqual({ file: 'x' });
    expect(error.cause).toBe(cause);
  });

  it('gives a ConfigError its field errors and extensions, as configuration errors need', () => {
    const error = new ConfigError(
      'gateway.yaml: /listen/port: must be a number',
      [{ pointer: '/listen/port', detail: 'must be a number' }],
      { file: 'gateway.yaml' },
    );
    expect(error.errors).toEqual([{ pointer: '/listen/port', detail: 'must be a number' }]);
    expect(error.extensions).toEqual({ file: 'gateway.yaml' });
  });
});
