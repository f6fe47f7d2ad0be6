import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredPortal } from '../types.js';

/**
 * Replaces a portal's tokens (rotation); false when there is no such portal, or — with `expected` — when its
 * tokens are no longer those (another instance rotated in between: read again and retry). Tokens are
 * always written as `JSON.stringify` of the list, so the stored text of what was read compares exactly.
 */
export async function setPortalTokens(
  db: Kysely<Database>,
  id: string,
  tokens: StoredPortal['tokens'],
  now: string,
  expected?: StoredPortal['tokens'],
): Promise<boolean> {
  let update = db
    .updateTable('portals')
    .set({ token_hashes: JSON.stringify(tokens), updated_at: now })
    .where('id', '=', id);
  if (expected) update = update.where('token_hashes', '=', JSON.stringify(expected));
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
