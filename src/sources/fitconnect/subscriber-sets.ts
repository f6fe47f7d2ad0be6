import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { acceptEvent, currentSetPayloadSchema, rejectEvent } from '../../seal/receipt/set-claims.js';
import type { RejectProblem } from './reject-problems.js';
import type { SubscriberSigningKey } from './subscriber-keys.js';

/** Which submission a SET speaks of, and who signs it. */
export interface SubscriberSetContext {
  /** The destination (Zustellpunkt): the SET's issuer. */
  destinationId: string;
  submissionId: string;
  caseId: string;
  /** The destination's signing key, imported once (importSubscriberSigningKey). */
  signingKey: SubscriberSigningKey;
  /** Default: now. */
  now?: Date;
  /** Default: a random UUIDv4. */
  jti?: string;
}

export interface AuthenticationTagsClaim {
  metadata: string;
  data: string;
  attachments: Record<string, string>;
}

/**
 * A subscriber's SET (PROTOCOL.md §3.4): compact JWS `{alg: PS512, typ: secevent+jwt, kid}` signed with the
 * destination's key, claims `$schema` set-payload 1.2.2 (what the delivery service writes itself; it refused 1.0.0
 * from a subscriber, §3.1), `jti`, `iss` = destinationId, `iat`, `sub` = `submission:<id>`, `txn` = `case:<caseId>`
 * and exactly one event.
 */
async function subscriberSet(context: SubscriberSetContext, event: string, payload: unknown): Promise<string> {
  const claims = {
    $schema: currentSetPayloadSchema,
    jti: context.jti ?? randomUUID(),
    iss: context.destinationId,
    iat: Math.floor((context.now ?? new Date()).getTime() / 1000),
    sub: `submission:${context.submissionId}`,
    txn: `case:${context.caseId}`,
    events: { [event]: payload },
  };
  return new CompactSign(Buffer.from(JSON.stringify(claims), 'utf8'))
    .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid: context.signingKey.kid })
    .sign(context.signingKey.privateKey);
}

/** The accept-submission SET, with the authentication tags of the JWEs received (they equal the submit SET's). */
export function acceptSet(context: SubscriberSetContext, authenticationTags: AuthenticationTagsClaim): Promise<string> {
  return subscriberSet(context, acceptEvent, {
    authenticationTags: {
      metadata: authenticationTags.metadata,
      data: authenticationTags.data,
      attachments: authenticationTags.attachments,
    },
  });
}

/** The reject-submission SET, with the problems the checks found (at least one). */
export function rejectSet(context: SubscriberSetContext, problems: readonly RejectProblem[]): Promise<string> {
  if (problems.length === 0) throw new RangeError('a reject-submission SET needs at least one problem');
  return subscriberSet(context, rejectEvent, {
    problems: problems.map((p) => ({ type: p.type, title: p.title, detail: p.detail, instance: p.instance })),
  });
}
