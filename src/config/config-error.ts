import type { z } from 'zod';
import { AmtsboteError, joinPointer } from '../errors.js';

/** A config problem names the file, the path in it and what is wrong. */
export function configError(file: string, path: (string | number | symbol)[], message: string): AmtsboteError {
  const pointer = joinPointer(...path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
  return new AmtsboteError('invalid-config', `${file}: ${pointer || '/'}: ${message}`, [{ pointer, detail: message }], { file });
}

export function zodConfigError(file: string, error: z.ZodError): AmtsboteError {
  const errors = error.issues.map((issue) => ({
    pointer: joinPointer(...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
    detail: issue.message,
  }));
  const lines = errors.map((e) => `  ${e.pointer || '/'}: ${e.detail}`).join('\n');
  return new AmtsboteError('invalid-config', `${file} is invalid:\n${lines}`, errors, { file });
}
