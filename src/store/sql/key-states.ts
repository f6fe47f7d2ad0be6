import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { KeyState } from '../types.js';

export async function listKeyStates(db: Kysely<Database>): Promise<KeyState[]> {
  const rows = await db.selectFrom('gateway_key_states').selectAll().orderBy('kid').execute();
  return rows.map((r) => ({ kid: r.kid, purpose: r.purpose as KeyState['purpose'], state: r.state as KeyState['state'], changedAt: r.changed_at, changedBy: r.changed_by }));
}

/**
 * Records configured keys the store does not know yet: the first of each purpose becomes active when no key
 * of that purpose is, the others are published. Existing states are never changed here.
 */
export async function registerKeys(db: Kysely<Database>, keys: { kid: string; purpose: KeyState['purpose'] }[], now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('gateway_key_states').select(['kid', 'purpose', 'state']).execute();
    const activePurposes = new Set(known.filter((k) => k.state === 'active').map((k) => k.purpose));
    const knownKids = new Set(known.map((k) => k.kid));
    for (const key of keys) {
      if (knownKids.has(key.kid)) continue;
      const state = activePurposes.has(key.purpose) ? 'published' : 'active';
      activePurposes.add(key.purpose);
      // (instances starting together register the same configured keys: the first one's states stand)
      await trx
        .insertInto('gateway_key_states')
        .values({ kid: key.kid, purpose: key.purpose, state, changed_at: now, changed_by: 'start-up' })
        .onConflict((oc) => oc.column('kid').doNothing())
        .execute();
    }
  });
}

/**
 * Makes `kid` the active key of its purpose; the previously active one stays published. The rows of that
 * purpose are locked first (an update that changes nothing): two instances rotating at once take turns, and
 * the second, with a new snapshot, demotes the key the first activated — never two active keys.
 */
export async function activateKey(db: Kysely<Database>, kid: string, actor: string, now: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const purpose = await trx.selectFrom('gateway_key_states').select('purpose').where('kid', '=', kid).executeTakeFirst();
    if (!purpose) return false;
    await trx.updateTable('gateway_key_states').set({ changed_at: sql`changed_at` }).where('purpose', '=', purpose.purpose).execute();
    const key = await trx.selectFrom('gateway_key_states').select(['purpose', 'state']).where('kid', '=', kid).executeTakeFirst();
    if (!key || key.state === 'retired') return false;
    await trx.updateTable('gateway_key_states').set({ state: 'published', changed_at: now, changed_by: actor }).where('purpose', '=', key.purpose).where('state', '=', 'active').execute();
    await trx.updateTable('gateway_key_states').set({ state: 'active', changed_at: now, changed_by: actor }).where('kid', '=', kid).execute();
    return true;
  });
}

export async function retireKey(db: Kysely<Database>, kid: string, actor: string, now: string): Promise<void> {
  await db.updateTable('gateway_key_states').set({ state: 'retired', changed_at: now, changed_by: actor }).where('kid', '=', kid).where('state', '!=', 'active').execute();
}

/** Messages signed with `kid` that are not yet final (accepted, rejected, cancelled): they still need the key. */
export async function countOpenMessagesSignedWith(db: Kysely<Database>, kid: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('signing_kid', '=', kid)
    .where('state', 'in', ['pending', 'delivered', 'deferred', 'dead-lettered'])
    .executeTakeFirst();
  // PostgreSQL returns count(*) as a string
  return Number(row?.n ?? 0);
}
