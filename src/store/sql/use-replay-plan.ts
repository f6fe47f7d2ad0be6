import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Marks a plan executed, once: of two replays of the same plan (a double click, two instances) exactly one
 * gets true. An expired plan is not taken.
 */
export async function useReplayPlan(db: Kysely<Database>, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('replay_plans')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
