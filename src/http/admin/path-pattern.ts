/**
 * The words of the admin API's paths. Anything else in a path — an id, or whatever an unauthenticated
 * client typed — is an id as far as the audit log is concerned.
 */
const knownSegments = new Set([
  'routing',
  'validate',
  'versions',
  'rollback',
  'dry-run',
  'config',
  'reload',
  'deliveries',
  'dead-letters',
  'replay',
  'plans',
  'audit',
  'destinations',
  'keys',
  'activate',
  'retire',
  'me',
  'overview',
  'portals',
  'rotate-token',
]);

/** At most this many segments are kept; the admin API has no deeper route. */
const maxSegments = 5;

/**
 * The route pattern of an admin API path as the audit log keeps it for a failed sign-in, e.g.
 * `/keys/:id/activate`: its known words, every other segment as `:id`, a longer path cut to `/…`. Who
 * fails to sign in writes no text of their own into the log (issue 19).
 */
export function adminPathPattern(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const kept = segments.slice(0, maxSegments).map((s) => (knownSegments.has(s) ? s : ':id'));
  return '/' + kept.join('/') + (segments.length > maxSegments ? '/…' : '');
}
