import { describe, expect, it } from 'vitest';
import { problemDocument } from '../../src/http/problem.js';
import {
  AmtsboteError,
  ConfigError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
} from '../../src/lib/errors.js';

describe('problem documents of the typed errors', () => {
  it('answers over HTTP as the general form with the same code does: the class changes no problem document', () => {
    for (const Class of [ConfigError, InvalidRequestError, NotFoundError, ConflictError, UnavailableError]) {
      expect(problemDocument(new Class('what is wrong'))).toEqual(
        problemDocument(new AmtsboteError(Class.code, 'what is wrong')),
      );
    }
    expect(problemDocument(new NotFoundError('no sealed message m-1'))).toEqual({
      type: 'https://amtsbote.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'no sealed message m-1',
    });
  });

  it("keeps the statuses the floor no longer knows: a configuration error is the gateway's fault, a conflict the caller's", () => {
    expect(problemDocument(new ConfigError('x')).status).toBe(500);
    expect(problemDocument(new InvalidRequestError('x')).status).toBe(400);
    expect(problemDocument(new ConflictError('x')).status).toBe(409);
    expect(problemDocument(new UnavailableError('x')).status).toBe(503);
  });
});
