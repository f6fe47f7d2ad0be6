import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { InboundState } from './inbound-row.js';

/**
 * Records where an inbound submission stands after a pick-up and gives its lease back — only while `owner`
 * still holds it, so a worker whose lease ran out cannot overwrite a newer one. False when the lease was lost.
 */
export async function settleInbound(
  db: Kysely<Database>,
  input: {
    id: string;
    owner: string;
    state: InboundState;
    reason?: string | undefined;
    onwardSubmissionId?: string | undefined;
    serviceKey?: string | undefined;
    nextAttemptAt: string;
    now: string;
    /** Record a step (the onward submission committed) and keep working under the lease. */
    keepLease?: boolean;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('inbound_submissions')
    .set({
      state: input.state,
      reason: input.reason ?? null,
      ...(input.onwardSubmissionId ? { onward_submission_id: input.onwardSubmissionId } : {}),
      ...(input.serviceKey ? { service_key: input.serviceKey } : {}),
      next_attempt_at: input.nextAttemptAt,
      ...(input.keepLease ? {} : { lease_owner: null, lease_until: null }),
      updated_at: input.now,
    })
    .where('id', '=', input.id)
    .where('lease_owner', '=', input.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
