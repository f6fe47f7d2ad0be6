import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { deriveSubmissionStatus } from '../submission-status.js';
import type { DeliveryState } from '../types.js';
import { appendEvent } from './append-event.js';

/**
 * After a delivery changed state: records that in the submission's event log, and derives the
 * submission's status anew. Runs in the transaction of the change.
 */
export async function recordDeliveryChange(
  trx: Transaction<Database>,
  change: { submissionId: string; deliveryId: string; destinationId: string; state: DeliveryState; at: string; detail?: Record<string, unknown> },
): Promise<void> {
  const states = await trx.selectFrom('deliveries').select('state').where('submission_id', '=', change.submissionId).execute();
  const status = deriveSubmissionStatus(states.map((r) => r.state as DeliveryState));
  const current = await trx.selectFrom('submissions').select('status').where('id', '=', change.submissionId).executeTakeFirstOrThrow();
  await trx.updateTable('submissions').set({ status, updated_at: change.at }).where('id', '=', change.submissionId).execute();
  await appendEvent(trx, change.submissionId, {
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
}
