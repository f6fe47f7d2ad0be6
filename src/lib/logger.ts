import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths that must never reach a log line, whatever a caller passes in by mistake: submission data,
 * tokens, keys and secrets. The HTTP layer logs no bodies and no headers in the first place; this list
 * is the second line of defence.
 */
export const redactPaths = [
  'data',
  '*.data',
  'body',
  '*.body',
  'envelope',
  '*.envelope',
  'authorization',
  '*.authorization',
  'headers',
  '*.headers',
  'req.headers',
  'res.headers',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'key',
  '*.key',
  'privateKey',
  '*.privateKey',
  'jwk',
  '*.jwk',
  'd',
  '*.d',
  'attachments',
  '*.attachments',
  'content',
  '*.content',
  'xml',
  '*.xml',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.AMTSBOTE_LOG_LEVEL ?? 'info',
      base: { service: 'amtsbote' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
