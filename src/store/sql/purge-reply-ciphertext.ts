import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Retention (`retention.replyDays`): the ciphertext of replies confirmed before `confirmedBefore` is deleted;
 * the row (ids, kind, signed metadata, countersignature, confirmation) stays as the record. Returns how many.
 */
export async function purgeReplyCiphertext(
  db: Kysely<Database>,
  confirmedBefore: string,
  now: string,
): Promise<number> {
  const result = await db
    .updateTable('replies')
    .set({ ciphertext: null, ciphertext_deleted_at: now })
    .where('confirmed_at', '<', confirmedBefore)
    .where('ciphertext', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
