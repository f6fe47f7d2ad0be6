import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * The ciphertext (encrypted data and attachments) of replies the portal confirmed before `cutoff`
 * (`retention.replyDays`). The reply's metadata, its signatures and the event log stay: what was answered, when
 * and by whom remains provable; only the content, which the portal has taken, goes.
 */
export async function purgeReplyCiphertexts(
  db: Kysely<Database>,
  cutoff: string,
  now: string,
  dryRun: boolean,
): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('confirmed_at', '<', cutoff)
      .where('ciphertext', 'is not', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db
    .updateTable('replies')
    .set({ ciphertext: null, ciphertext_deleted_at: now })
    .where('confirmed_at', '<', cutoff)
    .where('ciphertext', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
