import { type z, core } from 'zod';
import { AmtsboteError, type FieldError, fieldsToFix, joinPointer, type ProblemCode } from './errors.js';
import { issuePointer } from './zod-issue-pointer.js';
import { fieldErrorCode } from './field-error-code.js';

type Issue = z.core.$ZodIssue;

const english = core.locales.en();

/**
 * zod issues → field errors with JSON pointers, worded for the person who fixes the request: each `detail`
 * completes a sentence whose subject is the field the pointer names ("is required", "must be a date").
 * An unknown key points at the key itself; a union that no branch matched reports the branch that came
 * closest. A message a schema's author wrote is kept; only zod's own wording is replaced. Each error also
 * carries a stable `code` and its `params` (field-error-code.ts), which the admin page renders in its language.
 */
export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return issuesToFieldErrors(error.issues, prefix).slice(0, 50);
}

/** The problem for a failed parse: field errors, and a `detail` that names the first of them. */
export function zodProblem(
  code: ProblemCode,
  subject: string,
  error: z.ZodError,
  options: { prefix?: string; noun?: string } = {},
): AmtsboteError {
  const errors = zodFieldErrors(error, options.prefix);
  return new AmtsboteError(code, fieldsToFix(subject, errors, options.noun), errors);
}

function issuesToFieldErrors(issues: readonly Issue[], prefix: string): FieldError[] {
  return issues.flatMap((issue) => {
    const pointer = prefix + issuePointer(issue.path);
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        pointer: pointer + joinPointer(key),
        detail: 'is not a known field',
        code: 'unknown-field',
      }));
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch with the fewest complaints is the one the sender most likely meant.
      const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
      if (closest.length > 0) return issuesToFieldErrors(closest, pointer);
    }
    // the English detail for API clients, and a code with its values for the admin page's dictionaries
    return [{ pointer, detail: wordingOf(issue), ...fieldErrorCode(issue) }];
  });
}

function wordingOf(issue: Issue): string {
  if (!isZodsOwnMessage(issue)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      // JSON has no `undefined`: zod says "received undefined" only for a member that is absent.
      return issue.message.endsWith('received undefined') ? 'is required' : `must be ${typeName(issue.expected)}`;
    case 'too_small':
      return boundWording(
        issue.origin,
        'at least',
        issue.inclusive === false ? 'greater than' : undefined,
        issue.minimum,
      );
    case 'too_big':
      return boundWording(issue.origin, 'at most', issue.inclusive === false ? 'less than' : undefined, issue.maximum);
    case 'invalid_format':
      return formatWording(issue.format, issue.pattern);
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'matches none of the allowed forms';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has an entry that is not allowed';
    default:
      return 'is invalid';
  }
}

/** Whether the message is zod's default (to be reworded) rather than one a schema's author wrote. */
function isZodsOwnMessage(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return issue.message.startsWith('Invalid input: expected ');
  if (issue.code === 'invalid_union' || issue.code === 'unrecognized_keys') return true;
  // The locale reads only the issue's own members; the raw issue type lacks the `input` it declares.
  const own = english.localeError(issue as Parameters<typeof english.localeError>[0]);
  return issue.message === (typeof own === 'string' ? own : own?.message);
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  tuple: 'a list',
  date: 'a date',
  null: 'null',
};
const typeName = (expected: string) => typeNames[expected] ?? `of type ${expected}`;

function boundWording(
  origin: string,
  inclusive: string,
  exclusive: string | undefined,
  limit: number | bigint,
): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      if (n === 1 && inclusive === 'at least') return 'must not be empty';
      return `must be ${exclusive ?? inclusive} ${n} character${n === 1 ? '' : 's'} long`;
    case 'array':
    case 'set':
      if (n === 1 && inclusive === 'at least') return 'must not be empty';
      return `must have ${exclusive ?? inclusive} ${n} ${n === 1 ? 'entry' : 'entries'}`;
    default:
      return `must be ${exclusive ?? inclusive} ${n}`;
  }
}

const formats: Record<string, string> = {
  datetime: 'a date and time with a time zone, e.g. 2026-11-25T10:00:00Z',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (hh:mm:ss)',
  url: 'a URL',
  email: 'an e-mail address',
  uuid: 'a UUID',
  base64: 'base64',
  base64url: 'base64url',
};

function formatWording(format: string, pattern: string | undefined): string {
  if (format === 'regex' && pattern) return `does not have the expected form (${pattern})`;
  if (format === 'starts_with' || format === 'ends_with' || format === 'includes')
    return 'does not have the expected form';
  return `must be ${formats[format] ?? `a valid ${format}`}`;
}
