import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Saves an adapter's progress in the middle of an attempt, fenced like the outcome: false when the claim
 * is no longer this worker's (then the attempt must stop, its progress belongs to the newer claim).
 */
export async function saveAdapterState(db: Kysely<Database>, id: string, fence: number, state: unknown): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ adapter_state: JSON.stringify(state) })
    .where('id', '=', id)
    .where('fence', '=', fence)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A delivered message whose receipt an adapter fetches (FIT-Connect's event log). */
export interface PollableDelivery {
  id: string;
  submissionId: string;
  destinationId: string;
  adapterState?: unknown;
}

/** Delivered messages of the given destinations, keyset-paged by id: what a poll round reads. */
export async function listPollable(db: Kysely<Database>, filter: { destinationIds: readonly string[]; after?: string | undefined; limit: number }): Promise<PollableDelivery[]> {
  if (filter.destinationIds.length === 0) return [];
  let query = db
    .selectFrom('deliveries')
    .select(['id', 'submission_id', 'destination_id', 'adapter_state'])
    .where('state', '=', 'delivered')
    .where('destination_id', 'in', [...filter.destinationIds])
    .orderBy('id')
    .limit(filter.limit);
  if (filter.after) query = query.where('id', '>', filter.after);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    submissionId: r.submission_id,
    destinationId: r.destination_id,
    adapterState: r.adapter_state ? (JSON.parse(r.adapter_state) as unknown) : undefined,
  }));
}

/** A poll's progress (the event-log position) for a delivery still awaiting its receipt. */
export async function savePolledState(db: Kysely<Database>, id: string, state: unknown): Promise<void> {
  await db.updateTable('deliveries').set({ adapter_state: JSON.stringify(state) }).where('id', '=', id).where('state', '=', 'delivered').execute();
}
