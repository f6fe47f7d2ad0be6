import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Extends a lease while an attempt runs; false when the claim is no longer this worker's. */
export async function renewLease(
  db: Kysely<Database>,
  id: string,
  fence: number,
  leaseUntil: string,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ lease_until: leaseUntil })
    .where('id', '=', id)
    .where('fence', '=', fence)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
