import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { type InboundState, type InboundSubmission, inboundFromRow } from './inbound-row.js';

/** Inbound FIT-Connect submissions, newest first; only those in `states` when given. */
export async function listInbound(
  db: Kysely<Database>,
  filter: {
    states?: readonly InboundState[] | undefined;
    destinationIds?: readonly string[];
    /** One FIT-Connect submission id. */
    id?: string;
    limit: number;
  },
): Promise<InboundSubmission[]> {
  let query = db.selectFrom('inbound_submissions').selectAll();
  if (filter.states && filter.states.length > 0) query = query.where('state', 'in', [...filter.states]);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.destinationIds) {
    if (filter.destinationIds.length === 0) return [];
    query = query.where('destination_id', 'in', [...filter.destinationIds]);
  }
  const rows = await query.orderBy('first_seen_at', 'desc').orderBy('id').limit(filter.limit).execute();
  return rows.map(inboundFromRow);
}
