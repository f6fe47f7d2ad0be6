import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

const dayMs = 86_400_000;

/**
 * Records a FIT-Connect submission the first time any instance sees it (listed or announced by a callback);
 * seeing it again changes nothing (ON CONFLICT DO NOTHING on the FIT-Connect id). FIT-Connect's deadlines are
 * counted from here: its reminder after 3 days, its automatic reject after 14. True when the row is new.
 */
export async function recordInboundSeen(
  db: Kysely<Database>,
  input: { id: string; destinationId: string; caseId: string; now: string },
): Promise<boolean> {
  const seen = Date.parse(input.now);
  const rows = await db
    .insertInto('inbound_submissions')
    .values({
      id: input.id,
      destination_id: input.destinationId,
      case_id: input.caseId,
      state: 'pending',
      attempts: 0,
      next_attempt_at: input.now,
      first_seen_at: input.now,
      remind_at: new Date(seen + 3 * dayMs).toISOString(),
      auto_reject_at: new Date(seen + 14 * dayMs).toISOString(),
      updated_at: input.now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}
