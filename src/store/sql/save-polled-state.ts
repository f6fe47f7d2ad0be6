import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * A poll's progress (the event-log position) for a delivery still awaiting its receipt, and — when given —
 * what the poll found wrong as the delivery's `last_error` (null clears it), where the admin API and page
 * show it. `state` undefined leaves the progress as it is.
 */
export async function savePolledState(
  db: Kysely<Database>,
  id: string,
  state: unknown,
  lastError?: string | null,
): Promise<void> {
  const changes = {
    ...(state === undefined ? {} : { adapter_state: JSON.stringify(state) }),
    ...(lastError === undefined ? {} : { last_error: lastError }),
  };
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('deliveries').set(changes).where('id', '=', id).where('state', '=', 'delivered').execute();
}
