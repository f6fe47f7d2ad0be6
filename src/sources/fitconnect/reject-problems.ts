/**
 * The problems a `reject-submission` SET carries, one entry per check before accepting (issue 23, item 4).
 *
 * What FIT-Connect documents (docs.fitko.de/fit-connect/docs/receiving/verification/, page "Einreichung
 * überprüfen"; its history is commit 7263d583 of git.fitko.de/fit-connect/docs, `docs/receiving/verification.mdx`):
 * - a problem is RFC 7807-style `{type, title, detail, instance}`; FITKO's own types live under
 *   `https://schema.fitko.de/fit-connect/events/problems/…`;
 * - a subscriber MUST copy `type` and `instance` exactly as documented there and SHOULD use the documented `title`;
 * - the one example shown is `…/events/problems/an-example` ("Nur ein Beispiel") with `instance: "metadata"`,
 *   a placeholder, not a type to send.
 * The list of FITKO's problem types per check could NOT be retrieved (searched 2026-12-07: the stored copy of that
 * page holds only its beginning; no stored source code names one of the URIs; the Java SDK's class names seen in
 * third-party code — `event.problems.data.DataSchemaViolation`, `…data.DataJsonSyntaxViolation`,
 * `…metadata.UnsupportedDataSchema`, `…other.TechnicalError` — show categories, not URIs). PROTOCOL.md §3.3 and §9
 * record the same gap.
 *
 * So no FITKO URI is written here, and none is guessed. Each check rejects with a problem type of Amtsbote's own,
 * under the project's problem namespace (`https://amtsbote.dev/problems/`, as every other problem of the gateway),
 * marked `fitkoDocumented: false`. Why reject rather than hold: a submission that fails these checks is broken or
 * tampered with on the sender's side; holding it would only end in FIT-Connect's automatic reject after 14 days,
 * which tells the sender nothing, while our reject tells it what failed (title and detail) at once. When FITKO's
 * list is at hand, replace `type` (and `title`, `instance` where they differ) here: this table is the only place.
 *
 * `instance` follows the page's structure: `metadata` (confirmed by its example), `data`, `attachment:<id>` and
 * `submission` (inferred from the page's structure, PROTOCOL.md §3.3 [INF]).
 */

/** The checks that end in a reject, in FIT-Connect's order (submit SET, decryption, metadata, content, schema). */
export type RejectReason =
  | 'event-log-invalid'
  | 'authentication-tags-missing'
  | 'authentication-tag-mismatch'
  | 'part-too-large'
  | 'decryption-failed'
  | 'metadata-syntax'
  | 'metadata-version-unsupported'
  | 'metadata-schema-violation'
  | 'hash-mismatch'
  | 'attachments-incomplete'
  | 'data-missing'
  | 'data-ambiguous'
  | 'data-schema-unsupported'
  | 'data-syntax'
  | 'data-schema-violation';

export interface RejectProblemEntry {
  type: string;
  /** German, as FIT-Connect's own titles are (the sender's staff read them). */
  title: string;
  /** What `instance` names for this check. */
  instance: 'submission' | 'metadata' | 'data' | 'metadata, data or attachment:<id>' | 'attachment:<id>';
  /** Whether FITKO documents this `type` (none is, see above). */
  fitkoDocumented: false;
}

const own = (name: string) => `https://amtsbote.dev/problems/fit-connect/${name}`;

export const rejectProblems: Readonly<Record<RejectReason, RejectProblemEntry>> = {
  'event-log-invalid': {
    type: own('event-log-invalid'),
    title: 'Ereignisprotokoll ungültig',
    instance: 'submission',
    fitkoDocumented: false,
  },
  'authentication-tags-missing': {
    type: own('authentication-tags-missing'),
    title: 'Authentication-Tags fehlen',
    instance: 'submission',
    fitkoDocumented: false,
  },
  'authentication-tag-mismatch': {
    type: own('authentication-tag-mismatch'),
    title: 'Authentication-Tag stimmt nicht überein',
    instance: 'metadata, data or attachment:<id>',
    fitkoDocumented: false,
  },
  'part-too-large': {
    type: own('part-too-large'),
    title: 'Bestandteil zu groß',
    instance: 'metadata, data or attachment:<id>',
    fitkoDocumented: false,
  },
  'decryption-failed': {
    type: own('decryption-failed'),
    title: 'Entschlüsselung fehlgeschlagen',
    instance: 'metadata, data or attachment:<id>',
    fitkoDocumented: false,
  },
  'metadata-syntax': {
    type: own('metadata-syntax'),
    title: 'Metadatensatz ist kein gültiges JSON',
    instance: 'metadata',
    fitkoDocumented: false,
  },
  'metadata-version-unsupported': {
    type: own('metadata-version-unsupported'),
    title: 'Metadatenschema nicht unterstützt',
    instance: 'metadata',
    fitkoDocumented: false,
  },
  'metadata-schema-violation': {
    type: own('metadata-schema-violation'),
    title: 'Metadatensatz verletzt das Metadatenschema',
    instance: 'metadata',
    fitkoDocumented: false,
  },
  'hash-mismatch': {
    type: own('hash-mismatch'),
    title: 'Prüfsumme stimmt nicht überein',
    instance: 'metadata, data or attachment:<id>',
    fitkoDocumented: false,
  },
  'attachments-incomplete': {
    type: own('attachments-incomplete'),
    title: 'Anlagen unvollständig',
    instance: 'attachment:<id>',
    fitkoDocumented: false,
  },
  'data-missing': {
    type: own('data-missing'),
    title: 'Fachdaten fehlen',
    instance: 'data',
    fitkoDocumented: false,
  },
  'data-ambiguous': {
    type: own('data-ambiguous'),
    title: 'Fachdaten mehrdeutig',
    instance: 'data',
    fitkoDocumented: false,
  },
  'data-schema-unsupported': {
    type: own('data-schema-unsupported'),
    title: 'Fachdatenschema nicht unterstützt',
    instance: 'metadata',
    fitkoDocumented: false,
  },
  // The data as such (the inbound mapping reads them; the service's schema and rules judge them at intake).
  'data-syntax': {
    type: own('data-syntax'),
    title: 'Fachdaten syntaktisch ungültig',
    instance: 'data',
    fitkoDocumented: false,
  },
  'data-schema-violation': {
    type: own('data-schema-violation'),
    title: 'Fachdaten verletzen das Fachdatenschema',
    instance: 'data',
    fitkoDocumented: false,
  },
};

/** One problem of a reject-submission event. */
export interface RejectProblem {
  type: string;
  title: string;
  detail: string;
  instance: string;
}

/** The problem for a failed check, `instance` naming the part (`metadata`, `data`, `attachment:<id>`, `submission`). */
export function rejectProblem(reason: RejectReason, detail: string, instance: string): RejectProblem {
  const entry = rejectProblems[reason];
  return { type: entry.type, title: entry.title, detail: detail.slice(0, 2000), instance };
}

/** The `instance` of an attachment. */
export const attachmentInstance = (attachmentId: string) => `attachment:${attachmentId}`;
