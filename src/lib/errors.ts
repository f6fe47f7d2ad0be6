/**
 * Errors with a stable code. Every layer throws these; only the HTTP layer turns them into
 * RFC 9457 problem+json (`type: https://amtsbote.dev/problems/<code>`, its status from
 * http/problem-status.ts), so the code is the contract.
 */
export interface FieldError {
  /** JSON pointer (RFC 6901) into the request body, e.g. `/data/persons/0/familyName`. */
  pointer: string;
  detail: string;
  /**
   * What is wrong, as a stable code (`ars`, `required`, `unknown-destination`) for clients that say it in their own
   * words.
   */
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
  | 'destination-does-not-accept'
  | 'invalid-receipt'
  | 'invalid-reply'
  | 'invalid-reply-key'
  | 'invalid-config'
  | 'rate-limited'
  | 'config-rejected'
  | 'unavailable'
  | 'internal';

/**
 * The error every layer throws, in the manner of panva/jose's errors: a stable `code` (the contract — what
 * scripts, clients and tests branch on; the message is for people), and a few subclasses below for the kinds
 * thrown outside a request too, each with its code on the class as well (`ConfigError.code`). Which HTTP status
 * a code answers with is http/'s business (http/problem-status.ts): this floor knows nothing of HTTP.
 */
export class AmtsboteError extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[];
  /** Extra members for the problem document (never personal data). */
  readonly extensions: Record<string, unknown>;

  constructor(
    code: ProblemCode,
    detail: string,
    errors: FieldError[] = [],
    extensions: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = new.target.name;
    this.code = code;
    this.errors = errors;
    this.extensions = extensions;
  }
}

/** The configuration (files, secrets, environment) or the installation cannot be used as it is. */
export class ConfigError extends AmtsboteError {
  static readonly code = 'invalid-config' satisfies ProblemCode;
  declare readonly code: typeof ConfigError.code;

  constructor(
    detail: string,
    errors: FieldError[] = [],
    extensions: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(ConfigError.code, detail, errors, extensions, options);
  }
}

/** A request or a command line that asks for something it cannot (an option's value, a store's address). */
export class InvalidRequestError extends AmtsboteError {
  static readonly code = 'invalid-request' satisfies ProblemCode;
  declare readonly code: typeof InvalidRequestError.code;

  constructor(detail: string, options?: ErrorOptions) {
    super(InvalidRequestError.code, detail, [], {}, options);
  }
}

/** What was asked for is not there (a message, a submission's events, the store's routing). */
export class NotFoundError extends AmtsboteError {
  static readonly code = 'not-found' satisfies ProblemCode;
  declare readonly code: typeof NotFoundError.code;

  constructor(detail: string, options?: ErrorOptions) {
    super(NotFoundError.code, detail, [], {}, options);
  }
}

/** The current state refuses the step (a file or a store that is not empty, a lease another worker holds). */
export class ConflictError extends AmtsboteError {
  static readonly code = 'conflict' satisfies ProblemCode;
  declare readonly code: typeof ConflictError.code;

  constructor(detail: string, options?: ErrorOptions) {
    super(ConflictError.code, detail, [], {}, options);
  }
}

/** Something the gateway depends on (the store, its schema) cannot serve now; trying again later may work. */
export class UnavailableError extends AmtsboteError {
  static readonly code = 'unavailable' satisfies ProblemCode;
  declare readonly code: typeof UnavailableError.code;

  constructor(detail: string, options?: ErrorOptions) {
    super(UnavailableError.code, detail, [], {}, options);
  }
}

/**
 * A fault of the gateway itself: a broken invariant of its own code, which no input reaches, or anything
 * unexpected. Its detail never quotes input (byte counts at most); the X-Request-Id finds the log line.
 */
export class InternalError extends AmtsboteError {
  static readonly code = 'internal' satisfies ProblemCode;
  declare readonly code: typeof InternalError.code;

  constructor(detail = 'The gateway failed to answer this request; its X-Request-Id identifies it in the log.') {
    super(InternalError.code, detail);
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
