import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Releases every lease in the store; returns how many. Only for SQLite at start-up, under the serve lock:
 * SQLite serves one gateway process per data dir and only that process claims, so the lock proves that whoever
 * holds a lease now is gone (killed), and its deliveries are due again at once rather than when the leases
 * expire. PostgreSQL never calls this: another live instance may hold those leases, so there they expire.
 */
export async function releaseAllLeases(db: Kysely<Database>, now: string): Promise<number> {
  // The leases on fetching receipts are the dead process's too: the next poll round takes them at once.
  await db.deleteFrom('poll_leases').execute();
  const result = await db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null, updated_at: now })
    .where('lease_owner', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
