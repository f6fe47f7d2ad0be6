import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A delivered message whose receipt an adapter fetches (FIT-Connect's event log). */
export interface PollableDelivery {
  id: string;
  submissionId: string;
  destinationId: string;
  adapterState?: unknown;
  /** What the last poll found wrong (`receipt-held:…`, `receipt-ignored:…`), when anything. */
  lastError?: string | undefined;
}

/** Delivered messages of the given destinations, keyset-paged by id: what a poll round reads. */
export async function listPollable(
  db: Kysely<Database>,
  filter: { destinationIds: readonly string[]; after?: string | undefined; limit: number },
): Promise<PollableDelivery[]> {
  if (filter.destinationIds.length === 0) return [];
  let query = db
    .selectFrom('deliveries')
    .select(['id', 'submission_id', 'destination_id', 'adapter_state', 'last_error'])
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
    ...(r.last_error ? { lastError: r.last_error } : {}),
  }));
}
