import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { KeyState } from '../types.js';

/**
 * Records configured keys the store does not know yet: the first of each purpose becomes active when no key
 * of that purpose is, the others are published. Existing states are never changed here.
 */
export async function registerKeys(
  db: Kysely<Database>,
  keys: { kid: string; purpose: KeyState['purpose'] }[],
  now: string,
): Promise<void> {
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
