import { randomUUID } from 'node:crypto';
import { CompactSign, importJWK } from 'jose';
import type { OpenedMessage } from './open-sealed-message.js';
import { ReceiverError } from './errors.js';

export interface ReceiptProblem {
  type: string;
  title: string;
  detail?: string;
  instance?: string;
}

const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';
// What the delivery service itself writes: it refused a subscriber's 1.0.0 in a live test (PROTOCOL.md §3.1),
// although the gateway takes any 1.x.y.
const payloadSchema = 'https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json';

/**
 * A receipt for an opened message, as FIT-Connect's Security Event Token: `iss` = the destination,
 * `sub` = `submission:<messageId>`, `txn` = `case:<submissionId>`, one event — accept with the
 * authentication tags of the JWEs received, or reject with problems — signed PS512 with the recipient's
 * signing key (the one registered as the destination's receipt key).
 */
export async function buildReceipt(
  opened: Pick<OpenedMessage, 'metadata' | 'authenticationTags'>,
  options: {
    signingJwk: Record<string, unknown>;
    decision: { accept: true } | { accept: false; problems: ReceiptProblem[] };
    now?: Date;
    jti?: string;
  },
): Promise<string> {
  const kid = options.signingJwk.kid;
  if (typeof kid !== 'string') throw new ReceiverError('key-without-kid', 'the signing key has no kid');
  const key = await importJWK({ ...options.signingJwk, alg: 'PS512' }, 'PS512');
  const claims = {
    $schema: payloadSchema,
    jti: options.jti ?? randomUUID(),
    iss: opened.metadata.destinationId,
    iat: Math.floor((options.now ?? new Date()).getTime() / 1000),
    sub: `submission:${opened.metadata.messageId}`,
    txn: `case:${opened.metadata.submissionId}`,
    events: options.decision.accept
      ? { [acceptEvent]: { authenticationTags: opened.authenticationTags } }
      : { [rejectEvent]: { problems: options.decision.problems } },
  };
  return new CompactSign(Buffer.from(JSON.stringify(claims), 'utf8'))
    .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid })
    .sign(key);
}

/** Sends a receipt to the gateway (`POST /v1/events`); resolves with the gateway's answer. */
export async function sendReceipt(gatewayUrl: string, receipt: string): Promise<{ status: number; body: string }> {
  const res = await fetch(new URL('v1/events', gatewayUrl.endsWith('/') ? gatewayUrl : gatewayUrl + '/'), {
    method: 'POST',
    headers: { 'content-type': 'application/jose' },
    body: receipt,
  });
  return { status: res.status, body: await res.text() };
}
