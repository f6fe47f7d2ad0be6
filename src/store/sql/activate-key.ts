import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Makes `kid` the active key of its purpose; the previously active one stays published. The rows of that
 * purpose are locked first (an update that changes nothing): two instances rotating at once take turns, and
 * the second, with a new snapshot, demotes the key the first activated — never two active keys.
 */
export async function activateKey(db: Kysely<Database>, kid: string, actor: string, now: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const purpose = await trx
      .selectFrom('gateway_key_states')
      .select('purpose')
      .where('kid', '=', kid)
      .executeTakeFirst();
    if (!purpose) return false;
    await trx
      .updateTable('gateway_key_states')
      .set({ changed_at: sql`changed_at` })
      .where('purpose', '=', purpose.purpose)
      .execute();
    const key = await trx
      .selectFrom('gateway_key_states')
      .select(['purpose', 'state'])
      .where('kid', '=', kid)
      .executeTakeFirst();
    if (!key || key.state === 'retired') return false;
    await trx
      .updateTable('gateway_key_states')
      .set({ state: 'published', changed_at: now, changed_by: actor })
      .where('purpose', '=', key.purpose)
      .where('state', '=', 'active')
      .execute();
    await trx
      .updateTable('gateway_key_states')
      .set({ state: 'active', changed_at: now, changed_by: actor })
      .where('kid', '=', kid)
      .execute();
    return true;
  });
}
