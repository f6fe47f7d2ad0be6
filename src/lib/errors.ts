/**
 * Errors with a stable code. Every layer throws these; only the HTTP layer turns them into
 * RFC 9457 problem+json (`type: https://amtsbote.dev/problems/<code>`), so the code is the contract.
 */
export interface FieldError {
  /** JSON pointer (RFC 6901) into the request body, e.g. `/data/persons/0/familyName`. */
  pointer: string;
  detail: string;
  /** What is wrong, as a stable code (`ars`, `required`, `unknown-destination`) for clients that say it in their own words. */
  code?: string;
  /** The values the code's text needs (`{ minimum: 3 }`, `{ id: "leipzig" }`). */
  params?: Record<string, string | number>;
}

export interface FieldErrorCode {
  code: string;
  params?: Record<string, string | number>;
}

export type ProblemCode =
  | 'invalid-envelope'
  | 'invalid-json'
  | 'invalid-request'
  | 'invalid-query'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'request-timeout'
  | 'unsupported-media-type'
  | 'unknown-service'
  | 'unroutable-region'
  | 'invalid-data'
  | 'invalid-attachment'
  | 'invalid-message'
  | 'idempotency-conflict'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'replay-plan-stale'
  | 'note-required'
  | 'invalid-routing'
  | 'invalid-recipient-key'
  | 'invalid-receipt'
  | 'invalid-config'
  | 'rate-limited'
  | 'config-rejected'
  | 'unavailable'
  | 'internal';

export const problemStatus: Record<ProblemCode, number> = {
  'invalid-envelope': 400,
  'invalid-json': 400,
  'invalid-request': 400,
  'invalid-query': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'request-timeout': 408,
  'unsupported-media-type': 415,
  'unknown-service': 422,
  'unroutable-region': 422,
  'invalid-data': 422,
  'invalid-attachment': 422,
  'invalid-message': 422,
  'idempotency-conflict': 409,
  conflict: 409,
  'precondition-failed': 412,
  'precondition-required': 428,
  'replay-plan-stale': 409,
  'note-required': 422,
  'invalid-routing': 422,
  'invalid-recipient-key': 422,
  'invalid-receipt': 422,
  'invalid-config': 500,
  'rate-limited': 429,
  'config-rejected': 422,
  unavailable: 503,
  internal: 500,
};

export const problemTitle: Record<ProblemCode, string> = {
  'invalid-envelope': 'The submission envelope is invalid',
  'invalid-json': 'The request body is not valid JSON',
  'invalid-request': 'The request body does not have the expected form',
  'invalid-query': 'The query parameters are invalid',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed for this caller',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'payload-too-large': 'Payload too large',
  'request-timeout': 'The request body stopped arriving',
  'unsupported-media-type': 'Unsupported media type',
  'unknown-service': 'Unknown service',
  'unroutable-region': 'No destination for this service and region',
  'invalid-data': 'The submission data is invalid',
  'invalid-attachment': 'An attachment is invalid',
  'invalid-message': 'The generated message does not validate',
  'idempotency-conflict': 'Idempotency key reused with other content',
  conflict: 'Conflict with the current state',
  'precondition-failed': 'The resource has changed since you read it',
  'precondition-required': 'Send If-Match with the version you read',
  'replay-plan-stale': 'The replay plan no longer matches the dead letters; make a new dry run',
  'note-required': 'Say why: a note is required',
  'invalid-routing': 'The routing document is invalid',
  'invalid-recipient-key': "The recipient's key cannot be used",
  'invalid-receipt': 'The receipt is not accepted',
  'invalid-config': 'Invalid configuration',
  'rate-limited': 'Too many requests',
  'config-rejected': 'The new configuration was refused; the running one stays in force',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

export class AmtsboteError extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[];
  /** Extra members for the problem document (never personal data). */
  readonly extensions: Record<string, unknown>;

  constructor(code: ProblemCode, detail: string, errors: FieldError[] = [], extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = 'AmtsboteError';
    this.code = code;
    this.errors = errors;
    this.extensions = extensions;
  }
}

/**
 * A problem's `detail` for field errors: what has to be fixed, the first few in a sentence, so that a
 * person reading only `detail` (a log line, an alert) learns as much as from `errors`.
 */
export function fieldsToFix(subject: string, errors: readonly FieldError[], noun = 'field'): string {
  const [only] = errors;
  if (errors.length === 1 && only?.pointer === '') return `${subject} ${only.detail}.`;
  const shown = errors.slice(0, 3).map((e) => `${e.pointer || 'the whole'} ${e.detail}`);
  const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more` : '';
  const count = `${errors.length} ${noun}${errors.length === 1 ? '' : 's'}`;
  return `${subject} has ${count} to fix: ${shown.join('; ')}${more}.`;
}

export function isAmtsboteError(value: unknown): value is AmtsboteError {
  return value instanceof AmtsboteError;
}

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function joinPointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}
