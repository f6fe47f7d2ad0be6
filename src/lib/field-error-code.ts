import type { z } from 'zod';
import type { FieldErrorCode } from './errors.js';

/**
 * The identifier patterns of config/identifiers.ts by their regex source: a field that fails one of them
 * gets a code a page can say in its own language ("must be a 14-digit LeiKa key" → `leika-key`). Kept as
 * strings so that this floor imports no configuration; test/field-error-code.test.ts ties each
 * string to its schema, so a changed pattern fails there.
 */
const patternCodes: Record<string, string> = {
  '/^[0-9]{14}$/': 'leika-key',
  '/^[0-9]{12}$/': 'ars',
  '/^[0-9]{2,12}$/': 'ars-prefix',
  '/^[a-z0-9][a-z0-9-]{1,62}$/': 'destination-id',
};

type Issue = z.core.$ZodIssue;

/** zod reports the input only when asked to; its own message names what it received. */
const missing = (issue: Issue) =>
  'input' in issue && issue.input !== undefined ? false : / received undefined$/.test(issue.message);

/** A union all of whose branches are date or date-time formats: the instant schema of routing rules. */
const isDateUnion = (issue: Issue) =>
  issue.code === 'invalid_union' &&
  issue.errors.length > 0 &&
  issue.errors.every((branch) =>
    branch.some((inner) => inner.code === 'invalid_format' && (inner.format === 'date' || inner.format === 'datetime')),
  );

/**
 * A zod issue → a stable code and the parameters its text needs, next to the English `detail`: API
 * clients keep reading the detail, the admin page renders the code from its dictionaries. Custom checks
 * name their code in `params.code` (see config/routing-schema.ts).
 */
export function fieldErrorCode(issue: Issue): FieldErrorCode {
  switch (issue.code) {
    case 'invalid_type':
      return missing(issue) ? { code: 'required' } : { code: 'wrong-type', params: { expected: issue.expected } };
    case 'invalid_format':
      if (issue.format === 'regex') return { code: patternCodes[issue.pattern ?? ''] ?? 'invalid-format' };
      return { code: issue.format === 'date' || issue.format === 'datetime' ? 'date' : 'invalid-format' };
    case 'invalid_union':
      return { code: isDateUnion(issue) ? 'date' : 'invalid' };
    case 'too_small':
      return {
        code: issue.origin === 'array' ? 'too-few' : issue.origin === 'string' ? 'too-short' : 'too-small',
        params: { minimum: Number(issue.minimum) },
      };
    case 'too_big':
      return {
        code: issue.origin === 'array' ? 'too-many' : issue.origin === 'string' ? 'too-long' : 'too-big',
        params: { maximum: Number(issue.maximum) },
      };
    case 'invalid_value':
      return { code: 'not-allowed', params: { allowed: issue.values.map(String).join(', ') } };
    case 'custom': {
      const { code, ...params } = (issue.params ?? {}) as Record<string, unknown>;
      if (typeof code !== 'string') return { code: 'invalid' };
      const plain = Object.fromEntries(
        Object.entries(params).filter(
          (entry): entry is [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number',
        ),
      );
      return { code, params: plain };
    }
    default:
      return { code: 'invalid' };
  }
}
