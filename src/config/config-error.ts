import type { z } from 'zod';
import { AmtsboteError, joinPointer } from '../lib/errors.js';
import { zodFieldErrors } from '../lib/zod-field-errors.js';

/** A config problem names the file, the path in it and what is wrong. */
export function configError(file: string, path: (string | number | symbol)[], message: string): AmtsboteError {
  const pointer = joinPointer(...path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
  return new AmtsboteError('invalid-config', `${file}: ${pointer || '/'}: ${message}`, [{ pointer, detail: message }], { file });
}

export function zodConfigError(file: string, error: z.ZodError): AmtsboteError {
  // Worded like the API's field errors: an unknown key points at the key, not at its parent.
  const errors = zodFieldErrors(error);
  const lines = errors.map((e) => `  ${e.pointer || '(the whole file)'} ${e.detail}`).join('\n');
  return new AmtsboteError('invalid-config', `${file} is invalid:\n${lines}`, errors, { file });
}
