/**
 * Helper functions a mapping may call in its expressions, besides JSONata's own. Few and named for what
 * XÖV messages need, so an admin can read `$ddmmyyyy(birthDate)` without knowing JSONata's string functions.
 * Each passes undefined through, so an absent input field stays absent.
 */
export const mappingFunctions: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  /** `1986-09-02` → `02091986` (XGewerbeanzeige's geburtsdatum). */
  ddmmyyyy: (date) =>
    typeof date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(8, 10) + date.slice(5, 7) + date.slice(0, 4) : undefined,
  /** `true` → `1`, `false` → `0` (code list janein). */
  janein: (flag) => (typeof flag === 'boolean' ? (flag ? '1' : '0') : undefined),
  /** The calendar date of an ISO 8601 timestamp as written, in its own offset: `2026-03-01T23:30:00+01:00` → `2026-03-01`. */
  date: (timestamp) => (typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}/.test(timestamp) ? timestamp.slice(0, 10) : undefined),
};
