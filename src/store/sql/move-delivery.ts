import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Points a delivery at another destination (replay with reroute); its message is re-sealed separately. */
export async function moveDelivery(
  db: Kysely<Database>,
  id: string,
  destinationId: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ destination_id: destinationId, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'dead-lettered')
    .execute();
}
