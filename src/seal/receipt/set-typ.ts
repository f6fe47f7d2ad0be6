/** The media type a SET's `typ` header names (RFC 8417 §2.3), in full. */
const seceventJwt = 'application/secevent+jwt';

/**
 * Whether a JOSE `typ` header names `application/secevent+jwt`, compared as RFC 7515 §4.1.9 says: a value
 * without a `/` is read with `application/` prepended, and media types are case-insensitive (RFC 2045 §2),
 * so `secevent+jwt`, `application/secevent+jwt` and `Secevent+JWT` all name it. FIT-Connect's documents use
 * the short form; third-party JOSE libraries write either.
 */
export function isSeceventTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.trim().toLowerCase();
  return (lower.includes('/') ? lower : `application/${lower}`) === seceventJwt;
}
