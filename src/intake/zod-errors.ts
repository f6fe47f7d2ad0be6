import type { z } from 'zod';
import { type FieldError, joinPointer } from '../errors.js';
import { fieldErrorCode } from './field-error-code.js';

/** zod issues → field errors with JSON pointers; an unknown key points at the key itself. */
export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.slice(0, 50).flatMap((issue): FieldError[] => {
    const base = prefix + joinPointer(...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ pointer: base + joinPointer(key), detail: 'is not a known field', code: 'unknown-field' }));
    }
    return [{ pointer: base, detail: issue.message, ...fieldErrorCode(issue) }];
  });
}
