/**
 * Helper functions a mapping may call in its expressions, besides JSONata's own. Few and named for what
 * XÖV messages need, so an admin can read `$ddmmyyyy(birthDate)` without knowing JSONata's string functions.
 * Each passes undefined through, so an absent input field stays absent.
 */
export const mappingFunctions: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  /** `1986-09-02` → `02091986` (XGewerbeanzeige's geburtsdatum). */
  ddmmyyyy: (date) =>
    typeof date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(date)
      ? date.slice(8, 10) + date.slice(5, 7) + date.slice(0, 4)
      : undefined,
  /** `true` → `1`, `false` → `0` (code list janein). */
  janein: (flag) => (typeof flag === 'boolean' ? (flag ? '1' : '0') : undefined),
  /**
   * The calendar date of an ISO 8601 timestamp as written, in its own offset: `2026-03-01T23:30:00+01:00` →
   * `2026-03-01`.
   */
  date: (timestamp) =>
    typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}/.test(timestamp) ? timestamp.slice(0, 10) : undefined,
  /**
   * An ISO 8601 timestamp with exactly three fraction digits, as XÖV headers want their time (milliseconds
   * and zone): `2026-03-01T10:15:00+01:00` → `2026-03-01T10:15:00.000+01:00`; the zone is kept as written.
   * A timestamp without a zone is not one a message may carry: it passes as undefined.
   */
  withMilliseconds: (timestamp) => {
    if (typeof timestamp !== 'string') return undefined;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp);
    if (m === null) return undefined;
    return `${m[1] ?? ''}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3] ?? ''}`;
  },
  /** Whether an AGS lies in the region of an ARS (see agsInRegion below). */
  agsInRegion: (ags, ars) => agsInRegion(ags, ars),
};

/**
 * Whether a municipality's AGS (8 digits) lies within a region given by its ARS (12 digits): state,
 * Regierungsbezirk, Kreis and municipality must agree wherever the ARS names them (a part that is all zeros
 * stands for "any"); the Gemeindeverband (ARS digits 6–9) has no counterpart in the AGS and is not checked.
 * `agsInRegion('14612000', '146120000000')` → true; `('14713000', '146120000000')` → false. Undefined when
 * either is absent (mapping helpers pass absent values through). Intake's region check may use it too.
 */
export function agsInRegion(ags: unknown, ars: unknown): boolean | undefined {
  if (typeof ags !== 'string' || typeof ars !== 'string') return undefined;
  if (!/^\d{8}$/.test(ags) || !/^\d{12}$/.test(ars)) return false;
  const parts: [string, string][] = [
    [ars.slice(0, 2), ags.slice(0, 2)],
    [ars.slice(2, 3), ags.slice(2, 3)],
    [ars.slice(3, 5), ags.slice(3, 5)],
    [ars.slice(9, 12), ags.slice(5, 8)],
  ];
  return parts.every(([region, municipality]) => /^0+$/.test(region) || region === municipality);
}
