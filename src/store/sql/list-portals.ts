import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';
import { portalFromRow } from './portal-row.js';

export async function listPortals(db: Kysely<Database>): Promise<StoredPortal[]> {
  const rows = await db.selectFrom('portals').selectAll().orderBy('id').execute();
  return rows.map(portalFromRow);
}
