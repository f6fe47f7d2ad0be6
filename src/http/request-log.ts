import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger.js';

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One log line per request: id, method, route, status, duration. Never a body, a header or a query
 * string, so nothing the portal sends can reach the log.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const id = incoming && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path;
      logger.info(
        { requestId: id, method: req.method, route: route ?? '(unmatched)', status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
