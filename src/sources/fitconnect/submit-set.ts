import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { isAmtsboteError } from '../../lib/errors.js';
import { authenticationTagsSchema, type AuthenticationTags } from '../../seal/receipt/set-claims.js';
import { verifySet } from '../../seal/receipt/verify-set.js';
import { rejectProblem, type RejectProblem } from './reject-problems.js';

export const submitSubmissionEvent = 'https://schema.fitko.de/fit-connect/events/submit-submission';

/**
 * How old the delivery service's submit SET may be: a submission waits at most 14 days before FIT-Connect rejects it
 * itself (PROTOCOL.md §1.2), a pick-up may be retried for a while after that; 60 days leave room for both.
 */
const submitSetMaxAgeSeconds = 60 * 24 * 3600;
const futureSkewSeconds = 300;

export type SubmitSetResult =
  | { kind: 'found'; set: string; tags: AuthenticationTags }
  | { kind: 'retry'; reason: string }
  | { kind: 'reject'; problems: RejectProblem[] };

/** The unverified claims of a compact JWS, or undefined when it is none. */
function peekClaims(compact: string): { sub?: unknown; events?: unknown } | undefined {
  const payload = compact.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
}

function peekKid(compact: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(compact.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' && kid !== '' ? kid : undefined;
  } catch {
    return undefined;
  }
}

function importVerifyKey(jwk: JWK): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A submit SET without a `data` tag is read as naming the empty placeholder (`encryptedData: ''`, data as a
 * `purpose: data` attachment): the comparison with the JWEs received then refuses it when data did arrive inline.
 */
function withDataTag(tags: unknown): unknown {
  return typeof tags === 'object' && tags !== null && !Object.hasOwn(tags, 'data') ? { ...tags, data: '' } : tags;
}

const invalid = (detail: string) => rejectProblem('event-log-invalid', detail, 'submission');

/**
 * Finds the delivery service's `submit-submission` SET for this submission in the case's event log and verifies it
 * (PROTOCOL.md §3.5): header (`typ` secevent+jwt, PS512, kid), the signature with the delivery service's key chosen
 * by kid, the claims (exactly one event, `sub` = `submission:<id>`, `txn` = `case:<caseId>`, `iss` the service's
 * URL) and its `authenticationTags`. Not there yet, or its key not known (yet): retry — the log and the JWKS are
 * read again on the next pick-up. There but not genuine: reject.
 */
export async function findSubmitSet(
  eventLog: readonly string[],
  expected: { submissionId: string; caseId: string },
  deliveryServiceKey: (kid: string) => Promise<JWK | undefined>,
  now: Date,
): Promise<SubmitSetResult> {
  const sub = `submission:${expected.submissionId}`;
  const candidates = eventLog.filter((set) => {
    const claims = peekClaims(set);
    const events = claims?.events;
    return (
      claims?.sub === sub &&
      typeof events === 'object' &&
      events !== null &&
      Object.hasOwn(events, submitSubmissionEvent)
    );
  });
  if (candidates.length === 0)
    return { kind: 'retry', reason: 'the case event log has no submit-submission SET for this submission yet' };

  let problem: RejectProblem | undefined;
  for (const set of candidates) {
    const kid = peekKid(set);
    if (kid === undefined) {
      problem = invalid('The submit-submission SET names no kid.');
      continue;
    }
    let jwk: JWK | undefined;
    try {
      jwk = await deliveryServiceKey(kid);
    } catch {
      return { kind: 'retry', reason: "the delivery service's key set could not be read" };
    }
    if (jwk === undefined)
      return { kind: 'retry', reason: `the delivery service's key set has no key ${kid.slice(0, 64)} (yet)` };
    const key = importVerifyKey(jwk);
    if (key === undefined) {
      problem = invalid(`The delivery service's key ${kid.slice(0, 64)} is no RSA public key.`);
      continue;
    }
    try {
      const verified = await verifySet(set, key, {
        now,
        maxAgeSeconds: submitSetMaxAgeSeconds,
        futureSkewSeconds,
        schemaOptional: true,
      });
      const { claims, payload } = verified;
      if (claims.txn !== `case:${expected.caseId}`) {
        problem = invalid('The submit-submission SET names another case (txn).');
        continue;
      }
      if (!/^https?:\/\//.test(claims.iss)) {
        problem = invalid('The submit-submission SET is not issued by a delivery service (iss is no URL).');
        continue;
      }
      const tags = authenticationTagsSchema.safeParse(
        withDataTag((payload as { authenticationTags?: unknown } | null)?.authenticationTags),
      );
      if (!tags.success)
        return {
          kind: 'reject',
          problems: [
            rejectProblem(
              'authentication-tags-missing',
              'The submit-submission SET carries no valid authenticationTags {metadata, data, attachments}.',
              'submission',
            ),
          ],
        };
      return { kind: 'found', set, tags: tags.data };
    } catch (error) {
      problem = invalid(
        isAmtsboteError(error)
          ? error.message.replaceAll('receipt', 'submit-submission SET')
          : 'The submit-submission SET cannot be verified.',
      );
    }
  }
  return { kind: 'reject', problems: [problem ?? invalid('The submit-submission SET cannot be verified.')] };
}
