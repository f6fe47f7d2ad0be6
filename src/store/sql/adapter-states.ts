import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * The progress each of the given deliveries' adapters persisted, for the adapter to read its transport's
 * ids from (adapters/transport-references.ts). Opaque here: the store never looks inside. A delivery with
 * no state (or not among the messages) is absent.
 */
export async function adapterStates(
  db: Kysely<Database>,
  deliveryIds: readonly string[],
): Promise<Map<string, unknown>> {
  const states = new Map<string, unknown>();
  if (deliveryIds.length === 0) return states;
  const rows = await db
    .selectFrom('deliveries')
    .select(['id', 'adapter_state'])
    .where('id', 'in', deliveryIds)
    .where('kind', '=', 'message')
    .where('adapter_state', 'is not', null)
    .execute();
  for (const row of rows) if (row.adapter_state !== null) states.set(row.id, JSON.parse(row.adapter_state) as unknown);
  return states;
}
