import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';

/** Inserts a new portal; false when the id is taken. */
export async function insertPortal(db: Kysely<Database>, portal: StoredPortal, now: string): Promise<boolean> {
  const result = await db
    .insertInto('portals')
    .values({
      id: portal.id,
      name: portal.name,
      token_hashes: JSON.stringify(portal.tokens),
      services: JSON.stringify(portal.services),
      regions: JSON.stringify(portal.regions),
      callback: portal.callback ? JSON.stringify(portal.callback) : null,
      identity: portal.identity ? JSON.stringify(portal.identity) : null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Replaces a portal's tokens (rotation); false when there is no such portal. */
export async function setPortalTokens(db: Kysely<Database>, id: string, tokens: StoredPortal['tokens'], now: string): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set({ token_hashes: JSON.stringify(tokens), updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
