import type { Response } from 'express';
import type { AmtsboteError } from '../lib/errors.js';
import { problemStatus, problemTitle } from './problem-status.js';

export const problemBase = 'https://amtsbote.dev/problems/';

/** RFC 9457 problem document. `errors` lists field errors with JSON pointers into the request body. */
export function problemDocument(error: AmtsboteError, instance?: string) {
  return {
    type: problemBase + error.code,
    title: problemTitle[error.code],
    status: problemStatus[error.code],
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

export function sendProblem(res: Response, error: AmtsboteError, instance?: string): void {
  const body = problemDocument(error, instance);
  // A stable, bounded code for the metrics (amtsbote_intake_requests_total's `problem` label).
  res.locals.problemCode = error.code;
  // The rest of an oversized upload is not worth reading: close the connection after answering.
  if (error.code === 'payload-too-large') res.setHeader('Connection', 'close');
  if (typeof error.extensions.retryAfter === 'number')
    res.setHeader('Retry-After', String(error.extensions.retryAfter));
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
