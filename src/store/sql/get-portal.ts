import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';
import { portalFromRow } from './portal-row.js';

export async function getPortal(db: Kysely<Database>, id: string): Promise<StoredPortal | undefined> {
  const row = await db.selectFrom('portals').selectAll().where('id', '=', id).executeTakeFirst();
  return row && portalFromRow(row);
}
