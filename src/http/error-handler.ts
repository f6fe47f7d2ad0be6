import type { NextFunction, Request, Response } from 'express';
import { AmtsboteError, InternalError, isAmtsboteError } from '../lib/errors.js';
import { problemStatus } from './problem-status.js';
import type { Logger } from '../lib/logger.js';
import { sendProblem } from './problem.js';

/**
 * The app's last middleware: every error becomes an RFC 9457 problem+json answer. A refused token goes
 * through `unauthenticated` first (failed sign-ins count against the client and may turn into a 429); a 500
 * is logged with the request id, so the answer's X-Request-Id finds it in the log.
 */
export function errorHandler(deps: {
  logger: Logger;
  unauthenticated: (req: Request, error: AmtsboteError) => Promise<AmtsboteError>;
}) {
  const { logger } = deps;
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    if (res.headersSent) return;
    if (isAmtsboteError(err) && err.code === 'unauthenticated') {
      sendProblem(res, await deps.unauthenticated(req, err));
      return;
    }
    if (isAmtsboteError(err)) {
      // A 500 is the gateway's fault whatever its cause: logged at error level, findable by the request id.
      if (problemStatus[err.code] === 500)
        logger.error(
          {
            requestId: res.locals.requestId as string,
            problem: err.code,
            stack: err.stack?.split('\n').slice(1, 8).join('\n'),
            route: req.path.slice(0, 100),
          },
          'internal error',
        );
      sendProblem(res, err);
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // express's own parsers (the admin API's JSON bodies): malformed input, never an internal fault
      sendProblem(res, parserProblem(status, (err as { type?: unknown }).type));
      return;
    }
    // The message may quote input, so only the error class and stack frames are logged.
    logger.error(
      {
        requestId: res.locals.requestId as string,
        errorClass: (err as Error).name,
        stack: (err as Error).stack?.split('\n').slice(1, 8).join('\n'),
        route: req.path.slice(0, 100),
      },
      'internal error',
    );
    sendProblem(res, new InternalError());
  };
}

/** An error of express's body parser as a problem a person can act on; the parser's own text may quote input. */
function parserProblem(status: number, type: unknown): AmtsboteError {
  if (status === 413) return new AmtsboteError('payload-too-large', 'The body is larger than this endpoint accepts.');
  if (type === 'entity.parse.failed')
    return new AmtsboteError('invalid-json', 'The body is not valid JSON.', [
      { pointer: '', detail: 'is not valid JSON' },
    ]);
  if (type === 'charset.unsupported' || type === 'encoding.unsupported')
    return new AmtsboteError('unsupported-media-type', 'Send the body as UTF-8 JSON without content encoding.');
  return new AmtsboteError('invalid-request', 'The body could not be read.');
}
