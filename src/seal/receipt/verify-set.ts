import type { KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import type { z } from 'zod';
import { AmtsboteError } from '../../lib/errors.js';
import {
  acceptEvent,
  acceptPayloadSchema,
  rejectEvent,
  rejectPayloadSchema,
  setClaimsSchema,
  type AuthenticationTags,
  type ReceiptProblem,
} from './set-claims.js';
import { isSeceventTyp } from './set-typ.js';

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
  if (!isSeceventTyp(header.typ))
    throw refuse('The receipt header must have typ "secevent+jwt" (or "application/secevent+jwt").', 'header');
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

/** A SET whose header, signature and claims are verified; what its one event means is for the caller. */
export interface VerifiedSet {
  claims: z.infer<typeof setClaimsSchema>;
  /** The one event's URI and payload. */
  event: string;
  payload: unknown;
}

export interface VerifySetOptions {
  now: Date;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
  /**
   * Whether the SET may omit `$schema`. Only for the delivery service's own event-log entries: the claim was
   * optional before set-payload 1.0.x, and PROTOCOL.md §3.1 records that the service checks it only "when
   * present". A receipt from specialist software (`POST /v1/events`, a subscriber's entry) must name it.
   */
  schemaOptional?: boolean | undefined;
}

/**
 * Verifies a FIT-Connect SET: header (`typ` secevent+jwt per RFC 7515, PS512, kid), the PS512 signature by
 * the given key, the claims (exactly one event; unknown extra claims are ignored) and `iat` within the
 * window. Both the cryptography and the claims are always checked, never one without the other.
 */
export async function verifySet(compact: string, key: KeyObject, options: VerifySetOptions): Promise<VerifiedSet> {
  peekReceipt(compact);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(compact, key, { algorithms: ['PS512'] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw refuse("The receipt signature does not verify with the destination's receipt key.", 'signature');
    throw refuse('The receipt cannot be verified.', 'signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw refuse('The receipt payload is not JSON.', 'malformed');
  }
  const parsed = setClaimsSchema.safeParse(json);
  if (!parsed.success)
    throw refuse(
      `The receipt claims are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '/'} ${i.message}`).join('; ')}`,
      'claims',
    );
  const claims = parsed.data;
  if (claims.$schema === undefined && options.schemaOptional !== true)
    throw refuse(
      'The receipt claims are invalid: $schema is required (a FIT-Connect set-payload 1.x.y URI).',
      'claims',
    );
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (claims.iat > nowSeconds + options.futureSkewSeconds)
    throw refuse('The receipt is issued in the future (iat).', 'iat');
  if (claims.iat < nowSeconds - options.maxAgeSeconds) throw refuse('The receipt is too old (iat).', 'iat');
  const [event, body] = Object.entries(claims.events)[0] ?? ['', undefined];
  return { claims, event, payload: body };
}

/**
 * Verifies a receipt (a FIT-Connect SET, see verifySet) and reads its event: accept with authentication
 * tags, or reject with problems. What the receipt refers to (the delivery, its tags, the jti) is checked
 * against the store by the caller.
 */
export async function verifyReceipt(
  compact: string,
  key: KeyObject,
  options: Omit<VerifySetOptions, 'schemaOptional'>,
): Promise<VerifiedReceipt> {
  const { claims, event: type, payload: body } = await verifySet(compact, key, options);
  const base = {
    destinationId: claims.iss,
    messageId: claims.sub.slice('submission:'.length),
    submissionId: claims.txn.slice('case:'.length),
    jti: claims.jti,
    iat: claims.iat,
  };
  const decision = receiptDecision(type, body);
  return { ...base, ...decision };
}

/** An accept-submission or reject-submission event's meaning; any other event is refused. */
export function receiptDecision(
  type: string,
  body: unknown,
): Pick<VerifiedReceipt, 'kind' | 'authenticationTags' | 'problems'> {
  if (type === acceptEvent) {
    const accept = acceptPayloadSchema.safeParse(body);
    if (!accept.success)
      throw refuse('An accept-submission event must carry authenticationTags {metadata, data, attachments}.', 'event');
    return { kind: 'accepted', authenticationTags: accept.data.authenticationTags };
  }
  if (type === rejectEvent) {
    const reject = rejectPayloadSchema.safeParse(body);
    if (!reject.success)
      throw refuse('A reject-submission event must carry problems [{type, title, detail?, instance?}].', 'event');
    return { kind: 'rejected', problems: reject.data.problems };
  }
  throw refuse(`Unknown event ${type.slice(0, 100)}: only accept-submission and reject-submission are taken.`, 'event');
}
