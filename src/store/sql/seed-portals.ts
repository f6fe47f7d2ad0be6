import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';

export async function seedPortals(db: Kysely<Database>, portals: StoredPortal[], now: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('portals').select('id').limit(1).executeTakeFirst();
    if (existing || portals.length === 0) return 0;
    await trx
      .insertInto('portals')
      .values(
        portals.map((p) => ({
          id: p.id,
          name: p.name,
          token_hashes: JSON.stringify(p.tokens),
          services: JSON.stringify(p.services),
          regions: JSON.stringify(p.regions),
          callback: p.callback ? JSON.stringify(p.callback) : null,
          identity: p.identity ? JSON.stringify(p.identity) : null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    return portals.length;
  });
}
