import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Gives a claimed delivery back unattempted (shutdown, open circuit), due again at `nextAttemptAt`. */
export async function releaseLease(
  db: Kysely<Database>,
  id: string,
  fence: number,
  nextAttemptAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null, next_attempt_at: nextAttemptAt })
    .where('id', '=', id)
    .where('fence', '=', fence)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
