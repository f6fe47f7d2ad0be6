import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';
import { portalRow } from './portal-row.js';

/** Inserts a new portal; false when the id is taken. */
export async function insertPortal(db: Kysely<Database>, portal: StoredPortal, now: string): Promise<boolean> {
  const result = await db
    .insertInto('portals')
    .values(portalRow(portal, now))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}
