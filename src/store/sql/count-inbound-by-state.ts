import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** How many inbound FIT-Connect submissions are in each state (for the metrics). */
export async function countInboundByState(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('inbound_submissions')
    .select((eb) => ['state', eb.fn.countAll<number | string>().as('count')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
}
