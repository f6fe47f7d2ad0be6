import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A poll's progress (the event-log position) for a delivery still awaiting its receipt. */
export async function savePolledState(db: Kysely<Database>, id: string, state: unknown): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ adapter_state: JSON.stringify(state) })
    .where('id', '=', id)
    .where('state', '=', 'delivered')
    .execute();
}
