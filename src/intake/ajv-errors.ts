import type { ErrorObject } from 'ajv';
import { type FieldError, joinPointer } from '../lib/errors.js';

/** At most this many field errors in one answer: enough to fix a form, bounded for hostile input. */
const maxErrors = 50;

/**
 * ajv errors → field errors, in the same voice as the envelope's (lib/zod-field-errors.ts): the pointer names the
 * field — for a missing or unknown member the member itself, not its parent — and `detail` completes a
 * sentence about it. Messages of the project's own keywords (DIN 91379) and of unknown keywords are kept.
 * `if` errors only repeat the `then` error beside them and are left out.
 */
export function ajvFieldErrors(errors: readonly ErrorObject[], prefix: string): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const params = error.params as Record<string, unknown>;
    let pointer = prefix + error.instancePath;
    const member = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
    if (typeof member === 'string') pointer += joinPointer(member);
    out.push({ pointer, detail: wordingOf(error, params) });
    if (out.length === maxErrors) break;
  }
  return out;
}

function wordingOf(error: ErrorObject, params: Record<string, unknown>): string {
  const n = Number(params.limit);
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'dependentRequired':
      return `is required when ${String(params.property)} is given`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not a known field';
    case 'type':
      return `must be ${String(params.type)
        .split(',')
        .map((t) => typeNames[t] ?? t)
        .join(' or ')}`;
    case 'format':
      return `must be ${formats[String(params.format)] ?? `a valid ${String(params.format)}`}`;
    case 'pattern':
      return `does not have the expected form (${String(params.pattern)})`;
    case 'enum':
      return Array.isArray(params.allowedValues)
        ? `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
        : 'is not one of the allowed values';
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${n}`;
    case 'exclusiveMinimum':
      return `must be greater than ${n}`;
    case 'maximum':
      return `must be at most ${n}`;
    case 'exclusiveMaximum':
      return `must be less than ${n}`;
    case 'multipleOf':
      return `must be a multiple of ${String(params.multipleOf)}`;
    case 'minLength':
      return n === 1 ? 'must not be empty' : `must be at least ${n} characters long`;
    case 'maxLength':
      return `must be at most ${n} character${n === 1 ? '' : 's'} long`;
    case 'minItems':
      return n === 1 ? 'must not be empty' : `must have at least ${n} entries`;
    case 'maxItems':
      return `must have at most ${n} ${n === 1 ? 'entry' : 'entries'}`;
    case 'uniqueItems':
      return 'must not contain the same entry twice';
    case 'minProperties':
      return n === 1 ? 'must not be empty' : `must have at least ${n} fields`;
    case 'maxProperties':
      return `must have at most ${n} field${n === 1 ? '' : 's'}`;
    case 'anyOf':
    case 'oneOf':
      return 'matches none of the allowed forms';
    case 'not':
      return 'has a form that is not allowed';
    default:
      return error.message ?? 'is invalid';
  }
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const formats: Record<string, string> = {
  'date-time': 'a date and time with a time zone, e.g. 2026-11-25T10:00:00Z',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (hh:mm:ss)',
  email: 'an e-mail address',
  uri: 'a URL',
  'uri-reference': 'a URL',
  iri: 'a URL',
  uuid: 'a UUID',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  hostname: 'a host name',
};
