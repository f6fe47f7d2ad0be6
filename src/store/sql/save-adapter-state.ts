import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Saves an adapter's progress in the middle of an attempt, fenced like the outcome: false when the claim
 * is no longer this worker's (then the attempt must stop, its progress belongs to the newer claim).
 */
export async function saveAdapterState(
  db: Kysely<Database>,
  id: string,
  fence: number,
  state: unknown,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ adapter_state: JSON.stringify(state) })
    .where('id', '=', id)
    .where('fence', '=', fence)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
