import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export async function retireKey(db: Kysely<Database>, kid: string, actor: string, now: string): Promise<void> {
  await db
    .updateTable('gateway_key_states')
    .set({ state: 'retired', changed_at: now, changed_by: actor })
    .where('kid', '=', kid)
    .where('state', '!=', 'active')
    .execute();
}
