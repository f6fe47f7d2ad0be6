import { fileDirectoryProblem } from '../adapters/file-root.js';
import { routingSchema, type Routing } from './routing-schema.js';
import type { FieldError } from '../lib/errors.js';
import { zodFieldErrors } from '../lib/zod-field-errors.js';

/**
 * Validates a routing document as a whole: its schema, that every rule names a known service, and that
 * every file destination's folder lies below the operator's `fileDropRoot`.
 * Returns the parsed document or field errors with JSON pointers into the document.
 */
export function validateRouting(
  document: unknown,
  knownServices: ReadonlySet<string>,
  fileDropRoot: string,
): { routing: Routing } | { errors: FieldError[] } {
  const parsed = routingSchema.safeParse(document);
  if (!parsed.success) return { errors: zodFieldErrors(parsed.error) };
  const errors: FieldError[] = [];
  parsed.data.rules.forEach((rule, i) => {
    if (!knownServices.has(rule.service))
      errors.push({
        pointer: `/rules/${i}/service`,
        detail: `unknown service ${rule.service}`,
        code: 'unknown-service',
        params: { service: rule.service },
      });
  });
  parsed.data.destinations.forEach((destination, i) => {
    if (destination.adapter.kind !== 'file') return;
    const problem = fileDirectoryProblem(fileDropRoot, destination.adapter.directory);
    if (problem) errors.push({ pointer: `/destinations/${i}/adapter/directory`, detail: problem });
  });
  return errors.length > 0 ? { errors } : { routing: parsed.data };
}
