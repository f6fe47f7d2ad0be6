import type { KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { AmtsboteError } from '../../errors.js';
import { acceptEvent, acceptPayloadSchema, rejectEvent, rejectPayloadSchema, setClaimsSchema, type AuthenticationTags, type ReceiptProblem } from './set-claims.js';

export interface VerifiedReceipt {
  destinationId: string;
  messageId: string;
  submissionId: string;
  jti: string;
  iat: number;
  kind: 'accepted' | 'rejected';
  authenticationTags?: AuthenticationTags;
  problems?: ReceiptProblem[];
}

const refuse = (detail: string, reason: string) => new AmtsboteError('invalid-receipt', detail, [], { reason });

/** Reads the claims without trusting them: which destination (and key) to verify against. */
export function peekReceipt(compact: string): { iss: string; kid: string } {
  let header;
  try {
    header = decodeProtectedHeader(compact);
  } catch {
    throw refuse('The receipt is not a compact JWS.', 'malformed');
  }
  if (header.typ !== 'secevent+jwt') throw refuse('The receipt header must have typ "secevent+jwt".', 'header');
  if (header.alg !== 'PS512') throw refuse('The receipt must be signed with PS512.', 'header');
  if (typeof header.kid !== 'string' || header.kid === '') throw refuse('The receipt header names no kid.', 'header');
  const [, payload] = compact.split('.');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  } catch {
    throw refuse('The receipt payload is not JSON.', 'malformed');
  }
  const iss = (claims as { iss?: unknown } | null)?.iss;
  if (typeof iss !== 'string') throw refuse('The receipt names no issuer (iss = destination id).', 'claims');
  return { iss, kid: header.kid };
}

/**
 * Verifies a receipt (a FIT-Connect SET): header, PS512 signature by the given key, claims, exactly one
 * event (accept with authentication tags, or reject with problems), and `iat` within the window. What the
 * receipt refers to (the delivery, its tags, the jti) is checked against the store by the caller.
 */
export async function verifyReceipt(compact: string, key: KeyObject, options: { now: Date; maxAgeSeconds: number; futureSkewSeconds: number }): Promise<VerifiedReceipt> {
  peekReceipt(compact);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(compact, key, { algorithms: ['PS512'] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) throw refuse('The receipt signature does not verify with the destination\'s receipt key.', 'signature');
    throw refuse('The receipt cannot be verified.', 'signature');
  }
  const parsed = setClaimsSchema.safeParse(JSON.parse(Buffer.from(payload).toString('utf8')));
  if (!parsed.success) throw refuse(`The receipt claims are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '/'} ${i.message}`).join('; ')}`, 'claims');
  const claims = parsed.data;
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (claims.iat > nowSeconds + options.futureSkewSeconds) throw refuse('The receipt is issued in the future (iat).', 'iat');
  if (claims.iat < nowSeconds - options.maxAgeSeconds) throw refuse('The receipt is too old (iat).', 'iat');
  const [type, body] = Object.entries(claims.events)[0] ?? [];
  const base = { destinationId: claims.iss, messageId: claims.sub.slice('submission:'.length), submissionId: claims.txn.slice('case:'.length), jti: claims.jti, iat: claims.iat };
  if (type === acceptEvent) {
    const accept = acceptPayloadSchema.safeParse(body);
    if (!accept.success) throw refuse('An accept-submission event must carry authenticationTags {metadata, data, attachments}.', 'event');
    return { ...base, kind: 'accepted', authenticationTags: accept.data.authenticationTags };
  }
  if (type === rejectEvent) {
    const reject = rejectPayloadSchema.safeParse(body);
    if (!reject.success) throw refuse('A reject-submission event must carry problems [{type, title, detail?, instance?}].', 'event');
    return { ...base, kind: 'rejected', problems: reject.data.problems };
  }
  throw refuse(`Unknown event ${String(type).slice(0, 100)}: only accept-submission and reject-submission are taken.`, 'event');
}
