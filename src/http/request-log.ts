import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../lib/logger.js';

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
    const route = recordRoute(req);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          requestId: id,
          method: req.method,
          route: route() ?? '(unmatched)',
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
}

/**
 * The matched route as the client addressed it (`/v1/submissions/:submissionId`), never the path with its
 * ids. A router knows only its own part of the path, and the mount path (`req.baseUrl`) is reset once an
 * error leaves the router: so the full name is taken at the moment the router assigns `req.route`. (Routers
 * are mounted at fixed paths here — `/v1`, `/admin/v1` — so the mount path holds no ids.)
 */
function recordRoute(req: Request): () => string | undefined {
  let name: string | undefined;
  let current: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (route: { path?: unknown } | undefined) => {
      current = route;
      if (typeof route?.path === 'string') name = req.baseUrl + route.path;
    },
  });
  return () => name;
}
