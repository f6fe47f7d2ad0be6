import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';
import { portalRow } from './portal-row.js';

export async function seedPortals(db: Kysely<Database>, portals: StoredPortal[], now: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('portals').select('id').limit(1).executeTakeFirst();
    if (existing || portals.length === 0) return 0;
    const inserted = await trx
      .insertInto('portals')
      .values(portals.map((p) => portalRow(p, now)))
      // two instances starting together on an empty store seed the same portals: the second adds nothing
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n);
  });
}
