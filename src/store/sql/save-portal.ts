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

/**
 * Replaces a portal's tokens (rotation); false when there is no such portal, or — with `expected` — when its
 * tokens are no longer those (another instance rotated in between: read again and retry). Tokens are
 * always written as `JSON.stringify` of the list, so the stored text of what was read compares exactly.
 */
export async function setPortalTokens(db: Kysely<Database>, id: string, tokens: StoredPortal['tokens'], now: string, expected?: StoredPortal['tokens']): Promise<boolean> {
  let update = db
    .updateTable('portals')
    .set({ token_hashes: JSON.stringify(tokens), updated_at: now })
    .where('id', '=', id);
  if (expected) update = update.where('token_hashes', '=', JSON.stringify(expected));
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
