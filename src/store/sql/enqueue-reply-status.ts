import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

/** The outbox's destination id of a reply status for a destination: not the destination's own (its messages). */
export const replyStatusTarget = (destinationId: string): string => `reply-status:${destinationId}`;

/**
 * Puts the portal's confirmation of a reply into the outbox for the destination that sent the reply, in the
 * transaction of the confirmation, so it is never committed without its push and survives restarts. The
 * delivery worker sends it to the destination's `replyStatusUrl` (delivery-targets.ts) with its retries.
 */
export async function enqueueReplyStatus(
  trx: Transaction<Database>,
  input: { submissionId: string; destinationId: string; payload: Record<string, unknown>; at: string },
): Promise<void> {
  const id = randomUUID();
  await trx
    .insertInto('deliveries')
    .values({
      id,
      submission_id: input.submissionId,
      destination_id: replyStatusTarget(input.destinationId),
      kind: 'reply-status',
      state: 'pending',
      next_attempt_at: input.at,
      created_at: input.at,
      updated_at: input.at,
    })
    .execute();
  await trx
    .insertInto('sealed_messages')
    .values({
      delivery_id: id,
      content_type: 'application/json',
      body: JSON.stringify(input.payload),
      created_at: input.at,
    })
    .execute();
}
