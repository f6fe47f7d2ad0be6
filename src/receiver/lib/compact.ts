import { OpenSealedMessageError } from '../errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a compact JWS/JWE into its segments and decodes each strictly: only the base64url alphabet,
 * no padding, and the canonical encoding (a changed unused bit in the last character is refused, so
 * any changed character of any segment is detected even where the decoded bytes would be the same).
 */
export function splitCompact(
  token: unknown,
  segments: 3 | 5,
  part: string,
): { headerBytes: Buffer; lastSegment: string } {
  if (typeof token !== 'string') throw new OpenSealedMessageError('malformed-part', part, 'not a string');
  const raw = token.split('.');
  if (raw.length !== segments) {
    throw new OpenSealedMessageError(
      'malformed-part',
      part,
      `a compact ${segments === 3 ? 'JWS' : 'JWE'} has ${segments} segments, found ${raw.length}`,
    );
  }
  const [first] = raw.map((segment, i) => {
    if (!BASE64URL.test(segment))
      throw new OpenSealedMessageError('malformed-part', part, `segment ${i + 1} is not base64url`);
    const decoded = Buffer.from(segment, 'base64url');
    if (decoded.toString('base64url') !== segment) {
      throw new OpenSealedMessageError('malformed-part', part, `segment ${i + 1} is not canonical base64url`);
    }
    return decoded;
  });
  return { headerBytes: first ?? Buffer.alloc(0), lastSegment: raw.at(-1) ?? '' };
}

/** The protected header as a JSON object. */
export function parseHeader(bytes: Buffer, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OpenSealedMessageError('malformed-part', part, 'the protected header is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OpenSealedMessageError('malformed-part', part, 'the protected header is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Header members that would bring a key or an extension with the message: never accepted. */
const FORBIDDEN_MEMBERS = ['jwk', 'jku', 'x5c', 'x5u', 'x5t', 'x5t#S256', 'crit', 'zip', 'b64'];

export function refuseForbiddenMembers(header: Record<string, unknown>, part: string): void {
  for (const name of FORBIDDEN_MEMBERS) {
    if (Object.hasOwn(header, name))
      throw new OpenSealedMessageError('unexpected-header', part, `the header member "${name}" is not allowed`);
  }
}
