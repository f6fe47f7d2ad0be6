import type { Insertable, Kysely } from 'kysely';
import type { Database, PortalTable } from '../schema.js';
import type { StoredPortal } from '../types.js';

/** A portal as its table row; JSON columns as text. */
export function portalRow(portal: StoredPortal, now: string): Insertable<PortalTable> {
  return {
    id: portal.id,
    name: portal.name,
    token_hashes: JSON.stringify(portal.tokens),
    services: JSON.stringify(portal.services),
    regions: JSON.stringify(portal.regions),
    callback: portal.callback ? JSON.stringify(portal.callback) : null,
    identity: portal.identity ? JSON.stringify(portal.identity) : null,
    created_at: now,
    updated_at: now,
  };
}

/** Inserts a new portal; false when the id is taken. */
export async function insertPortal(db: Kysely<Database>, portal: StoredPortal, now: string): Promise<boolean> {
  const result = await db
    .insertInto('portals')
    .values(portalRow(portal, now))
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
