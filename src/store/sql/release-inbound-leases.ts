import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * SQLite at start-up, under the serve lock only: every lease on an inbound FIT-Connect submission is a dead
 * process's, so a submission it was picking up is picked up again at once, not after the lease runs out.
 */
export async function releaseInboundLeases(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('inbound_submissions')
    .set({ lease_owner: null, lease_until: null })
    .where('lease_owner', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
