import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { deriveSubmissionStatus } from '../submission-status.js';
import type { DeliveryState } from '../types.js';
import { appendEvent } from './append-event.js';
import { enqueueCallback } from './enqueue-callback.js';

/**
 * After a delivery changed state: records that in the submission's event log, and derives the
 * submission's status anew. Runs in the transaction of the change.
 *
 * Its first statement writes the submission row, which takes that row's lock on PostgreSQL: two instances
 * recording changes of one submission's deliveries take turns, and the second (a new snapshot per statement)
 * sees the first's deliveries and events — so the status is derived from all of them and the event chain
 * never forks. SQLite's single writer gives the same order.
 */
export async function recordDeliveryChange(
  trx: Transaction<Database>,
  change: {
    submissionId: string;
    deliveryId: string;
    destinationId: string;
    state: DeliveryState;
    at: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  const current = await trx
    .updateTable('submissions')
    .set({ updated_at: change.at })
    .where('id', '=', change.submissionId)
    .returning(['status', 'portal_id', 'callback_url'])
    .executeTakeFirstOrThrow();
  const messages = await trx
    .selectFrom('deliveries')
    .select(['id', 'destination_id', 'state'])
    .where('submission_id', '=', change.submissionId)
    .where('kind', '=', 'message')
    .orderBy('destination_id')
    .execute();
  const status = deriveSubmissionStatus(messages.map((r) => r.state as DeliveryState));
  if (current.status !== status)
    await trx.updateTable('submissions').set({ status }).where('id', '=', change.submissionId).execute();
  const seq = await appendEvent(trx, change.submissionId, {
    at: change.at,
    type: 'delivery',
    data: {
      destinationId: change.destinationId,
      messageId: change.deliveryId,
      state: change.state,
      ...(current.status !== status ? { status } : {}),
      ...change.detail,
    },
  });
  if (current.status !== status) {
    await enqueueCallback(trx, {
      submissionId: change.submissionId,
      portalId: current.portal_id,
      callbackUrl: current.callback_url,
      payload: {
        submissionId: change.submissionId,
        status,
        destinations: messages.map((m) => ({
          destinationId: m.destination_id,
          messageId: m.id,
          status: m.id === change.deliveryId ? change.state : m.state,
        })),
        seq,
        at: change.at,
      },
      at: change.at,
    });
  }
}
