import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PortalReplyKey } from '../reply-types.js';

/**
 * Registers a portal's reply key; the keys current until now stay usable until `previousNotAfter` (the
 * overlap of a rotation), and keys past their overlap are dropped. One transaction. False when the portal
 * has a key with this kid already.
 */
export async function addPortalReplyKey(
  db: Kysely<Database>,
  key: PortalReplyKey,
  previousNotAfter: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('portal_reply_keys')
      .select('kid')
      .where('portal_id', '=', key.portalId)
      .where('kid', '=', key.kid)
      .executeTakeFirst();
    if (taken) return false;
    await trx
      .deleteFrom('portal_reply_keys')
      .where('portal_id', '=', key.portalId)
      .where('not_after', '<=', key.createdAt)
      .execute();
    await trx
      .updateTable('portal_reply_keys')
      .set({ not_after: previousNotAfter })
      .where('portal_id', '=', key.portalId)
      .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', previousNotAfter)]))
      .execute();
    await trx
      .insertInto('portal_reply_keys')
      .values({
        portal_id: key.portalId,
        kid: key.kid,
        source: JSON.stringify(key.source),
        not_after: null,
        created_at: key.createdAt,
      })
      .execute();
    return true;
  });
}
