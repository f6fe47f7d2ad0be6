import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';

export async function listPortals(db: Kysely<Database>): Promise<StoredPortal[]> {
  const rows = await db.selectFrom('portals').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    tokenHashes: JSON.parse(r.token_hashes) as string[],
    services: JSON.parse(r.services) as string[],
    regions: JSON.parse(r.regions) as string[],
  }));
}
