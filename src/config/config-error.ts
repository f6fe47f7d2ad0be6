import type { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { zodFieldErrors } from '../lib/zod-field-errors.js';
import { issuePointer } from '../lib/zod-issue-pointer.js';

/** A config problem names the file, the path in it and what is wrong. */
export function configError(file: string, path: (string | number | symbol)[], message: string): ConfigError {
  const pointer = issuePointer(path);
  return new ConfigError(`${file}: ${pointer || '/'}: ${message}`, [{ pointer, detail: message }], { file });
}

export function zodConfigError(file: string, error: z.ZodError): ConfigError {
  // Worded like the API's field errors: an unknown key points at the key, not at its parent.
  const errors = zodFieldErrors(error);
  const lines = errors.map((e) => `  ${e.pointer || '(the whole file)'} ${e.detail}`).join('\n');
  return new ConfigError(`${file} is invalid:\n${lines}`, errors, { file });
}
