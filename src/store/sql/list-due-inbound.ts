import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { openInboundStates } from './inbound-row.js';

/**
 * Open inbound submissions that are due (their back-off has passed, or routing changed) and not leased by a
 * live worker: what a pick-up round works on besides what FIT-Connect lists.
 */
export async function listDueInbound(
  db: Kysely<Database>,
  input: { destinationIds: readonly string[]; now: string; limit: number },
): Promise<{ id: string; destinationId: string; caseId: string }[]> {
  if (input.destinationIds.length === 0) return [];
  const rows = await db
    .selectFrom('inbound_submissions')
    .select(['id', 'destination_id', 'case_id'])
    .where('destination_id', 'in', [...input.destinationIds])
    .where('state', 'in', [...openInboundStates])
    .where('next_attempt_at', '<=', input.now)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', input.now)]))
    .orderBy('next_attempt_at')
    .limit(input.limit)
    .execute();
  return rows.map((r) => ({ id: r.id, destinationId: r.destination_id, caseId: r.case_id }));
}
