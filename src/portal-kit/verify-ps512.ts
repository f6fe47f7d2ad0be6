import type { KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { isOpenSealedMessageError } from '../receiver/errors.js';
import { JWS_ALG, JWS_CTY, JWS_TYP } from '../receiver/format.js';
import { parseHeader, refuseForbiddenMembers, splitCompact } from '../receiver/lib/compact.js';
import { OpenReplyError } from './errors.js';

/**
 * Verifies one compact JWS of the reply format — header `{alg: PS512, kid, typ: JOSE, cty: application/json}`,
 * no embedded keys or `crit` — with the key `keyFor` picks by `kid` (a message when there is none), and returns
 * its payload parsed as JSON. Every failure is an OpenReplyError for `part`.
 */
export async function verifyPs512Json(
  jws: string,
  part: string,
  keyFor: (kid: string) => KeyObject | string,
  payloadCode: 'malformed-countersignature' | 'malformed-metadata',
): Promise<unknown> {
  let header: Record<string, unknown>;
  try {
    header = parseHeader(splitCompact(jws, 3, part).headerBytes, part);
    if (header.alg !== JWS_ALG)
      throw new OpenReplyError(
        'algorithm-not-allowed',
        part,
        `the signature algorithm must be ${JWS_ALG}, found ${JSON.stringify(header.alg)}`,
      );
    refuseForbiddenMembers(header, part);
  } catch (error) {
    if (isOpenSealedMessageError(error))
      throw new OpenReplyError(
        error.code === 'unexpected-header' ? 'unexpected-header' : 'malformed-part',
        part,
        error.message,
      );
    throw error;
  }
  if (header.typ !== JWS_TYP || header.cty !== JWS_CTY)
    throw new OpenReplyError(
      'unexpected-header',
      part,
      `the JWS header must have typ ${JWS_TYP} and cty ${JWS_CTY}, found ${JSON.stringify(header.typ)} and ${JSON.stringify(header.cty)}`,
    );
  if (typeof header.kid !== 'string')
    throw new OpenReplyError('unknown-signing-key', part, 'the JWS header names no kid');
  const key = keyFor(header.kid);
  if (typeof key === 'string') throw new OpenReplyError('unknown-signing-key', part, key);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key, { algorithms: [JWS_ALG] }));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
      throw new OpenReplyError('signature-invalid', part, `the signature does not verify with the key "${header.kid}"`);
    throw new OpenReplyError('malformed-part', part, (error as Error).message, { cause: error });
  }
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
  } catch {
    throw new OpenReplyError(payloadCode, part, 'the signed payload is not JSON');
  }
}
