import { destinationKeySources } from '../config/destination-key-sources.js';
import { AmtsboteError } from '../lib/errors.js';
import { releaseFromEscrow } from './release-from-escrow.js';
import type { Reroute } from './reroute.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { KeyRing } from '../seal/index.js';
import { peekReceipt, verifyReceipt, type VerifiedReceipt } from '../seal/receipt/verify-set.js';
import type { Store } from '../store/store.js';

export interface ReceiptContext {
  store: Store;
  routing: RoutingState;
  sealing: KeyRing;
  reroute: Reroute;
  clock: () => Date;
  onReleased?: () => void;
}

const reasons = {
  'unknown-message': 'No message with this id was sent to this destination for this case.',
  'not-delivered': 'The message has not been delivered yet.',
  'already-final': 'The message was already accepted or rejected.',
  'tags-mismatch': 'The authentication tags do not equal those of the message delivered.',
  replayed: 'This receipt (jti) was received before.',
} as const;

/**
 * A receipt from specialist software: verified against its destination's registered receipt key, applied
 * to the delivery (accepted / rejected, the SET kept verbatim), and — for an accept — the deliveries
 * deferred behind it are sealed from the escrow copy and released into the outbox. A bad receipt changes
 * nothing.
 */
export async function receiveReceipt(
  ctx: ReceiptContext,
  compact: string,
): Promise<{
  messageId: string;
  submissionId: string;
  state: 'accepted' | 'rejected';
  released: number;
  cancelled: number;
}> {
  const { iss, kid } = peekReceipt(compact);
  const destination = ctx.routing.current().routing.destinations.find((d) => d.id === iss);
  if (!destination)
    throw new AmtsboteError('invalid-receipt', `No destination ${iss.slice(0, 100)}.`, [], {
      reason: 'unknown-destination',
    });
  let key;
  try {
    key = await ctx.sealing.resolver.receiptKey(destinationKeySources(destination).receipt, kid);
  } catch {
    throw new AmtsboteError(
      'invalid-receipt',
      `Key ${kid.slice(0, 100)} is not a registered receipt key of ${destination.id}.`,
      [],
      { reason: 'unknown-key' },
    );
  }
  const receipt = await verifyReceipt(compact, key.key, {
    now: ctx.clock(),
    maxAgeSeconds: 7 * 86_400,
    futureSkewSeconds: 300,
  });
  const recorded = await recordReceipt(ctx, {
    deliveryId: receipt.messageId,
    destinationId: destination.id,
    submissionId: receipt.submissionId,
    receipt,
    set: compact,
  });
  return { messageId: receipt.messageId, submissionId: receipt.submissionId, state: receipt.kind, ...recorded };
}

/**
 * Records a verified receipt — posted to the events API or fetched by an adapter's poll — for one delivery:
 * accepted / rejected with the SET kept verbatim; for an accept, the deliveries deferred behind it are
 * sealed from the escrow copy and released into the outbox. Refuses (and changes nothing) when the store
 * says the receipt does not fit the delivery.
 */
export async function recordReceipt(
  ctx: ReceiptContext,
  input: {
    deliveryId: string;
    destinationId: string;
    submissionId: string;
    set: string;
    receipt: Pick<VerifiedReceipt, 'jti' | 'kind' | 'authenticationTags' | 'problems'>;
  },
): Promise<{ released: number; cancelled: number }> {
  const now = ctx.clock();
  const { receipt } = input;
  const outcome = await ctx.store.applyReceipt({
    deliveryId: input.deliveryId,
    destinationId: input.destinationId,
    submissionId: input.submissionId,
    jti: receipt.jti,
    kind: receipt.kind,
    set: input.set,
    authenticationTags: receipt.authenticationTags,
    problems: receipt.problems,
    at: now.toISOString(),
  });
  if (!outcome.ok) {
    throw new AmtsboteError(
      outcome.reason === 'replayed' ? 'conflict' : 'invalid-receipt',
      reasons[outcome.reason],
      [],
      { reason: outcome.reason },
    );
  }
  const releasing = { store: ctx.store, routing: () => ctx.routing.current(), reroute: ctx.reroute };
  for (const id of outcome.released) await releaseFromEscrow(releasing, id, now);
  if (outcome.released.length > 0) ctx.onReleased?.();
  return { released: outcome.released.length, cancelled: outcome.cancelled.length };
}
