import { z } from 'zod';
import { AmtsboteError } from '../lib/errors.js';
import { zodProblem } from '../lib/zod-field-errors.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { ReplyConfirmation, StoredReply } from '../store/reply-types.js';
import type { Store } from '../store/store.js';

/** The portal's confirmation: accepted, or rejected with a reason (free text of the portal, no personal data). */
export const replyConfirmationSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('accepted'), reason: z.string().min(1).max(1000).optional() }),
  z.strictObject({ outcome: z.literal('rejected'), reason: z.string().min(1).max(1000) }),
]);

/**
 * The destination a confirmation is pushed to: one with the http adapter and a `replyStatusUrl` in the routing
 * in force. Any other polls its reply's status.
 */
function takesReplyStatus(routing: (() => CurrentRouting) | undefined, destinationId: string): boolean {
  const destination = routing?.().routing.destinations.find((d) => d.id === destinationId);
  return destination?.adapter.kind === 'http' && destination.adapter.replyStatusUrl !== undefined;
}

/**
 * Records the portal's confirmation of a reply in the event log (once: the first stands; the same confirmation
 * again answers as before, another is a conflict). The destination sees it by polling its reply's status, and
 * — where its http adapter has a `replyStatusUrl` — by a signed `reply.confirmed` push through the outbox.
 */
export async function confirmReply(
  deps: {
    store: Pick<Store, 'confirmReply' | 'getReply'>;
    clock: () => Date;
    routing?: (() => CurrentRouting) | undefined;
  },
  reply: StoredReply,
  body: unknown,
): Promise<StoredReply> {
  const parsed = replyConfirmationSchema.safeParse(body);
  if (!parsed.success) throw zodProblem('invalid-request', 'The confirmation', parsed.error);
  const confirmation: ReplyConfirmation = parsed.data;
  const at = deps.clock().toISOString();
  // Ids, the outcome and the portal's reason only: never content of the reply.
  const push = takesReplyStatus(deps.routing, reply.destinationId)
    ? {
        destinationId: reply.destinationId,
        payload: {
          type: 'reply.confirmed',
          replyId: reply.id,
          submissionId: reply.submissionId,
          messageId: reply.messageId,
          outcome: confirmation.outcome,
          ...(confirmation.reason === undefined ? {} : { reason: confirmation.reason }),
          confirmedAt: at,
        },
      }
    : undefined;
  const changed = await deps.store.confirmReply({
    replyId: reply.id,
    submissionId: reply.submissionId,
    confirmation,
    at,
    push,
  });
  const now = await deps.store.getReply(reply.id);
  if (!now) throw new AmtsboteError('not-found', 'No such reply.');
  if (
    !changed &&
    (now.confirmation?.outcome !== confirmation.outcome || now.confirmation.reason !== confirmation.reason)
  )
    throw new AmtsboteError('conflict', 'The reply was confirmed before, differently; the first confirmation stands.', [
      { pointer: '/outcome', detail: `confirmed ${now.confirmation?.outcome ?? ''} before` },
    ]);
  return now;
}
