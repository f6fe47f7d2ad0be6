import { joinPointer } from './errors.js';

/**
 * A zod issue's path as a JSON pointer (RFC 6901), the one conversion every layer uses: field errors, config
 * errors and the sealed formats' own checks. zod admits symbol keys, which JSON never has; they are named by
 * their description so the pointer stays a string.
 */
export function issuePointer(path: readonly PropertyKey[]): string {
  return joinPointer(...path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
}
