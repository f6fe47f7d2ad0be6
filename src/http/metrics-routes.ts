import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AmtsboteError } from '../lib/errors.js';
import type { Metrics } from '../observability/metrics.js';
import { bearerToken } from './portal-auth.js';

/** GET /metrics in the Prometheus text format. */
export function metricsHandler(metrics: Metrics) {
  return async (_req: Request, res: Response): Promise<void> => {
    const text = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(text);
  };
}

/** Bearer token for /metrics on the main port (which faces the internet). */
export function metricsAuth(token: string) {
  const expected = Buffer.from(token, 'utf8');
  return (req: Request, _res: Response, next: NextFunction): void => {
    const sent = Buffer.from(bearerToken(req) ?? '', 'utf8');
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected))
      throw new AmtsboteError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <token>".');
    next();
  };
}

/** Counts POST /v1/submissions by outcome and problem type, with its latency, when the answer is sent. */
export function observeIntake(metrics: Metrics) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.statusCode;
      const outcome = status < 400 ? 'accepted' : status < 500 ? 'rejected' : 'failed';
      metrics.recordIntake(
        outcome,
        (res.locals.problemCode as string | undefined) ?? (status < 400 ? 'none' : 'unknown'),
        ms,
      );
    });
    next();
  };
}
