import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Makes every waiting inbound submission due now: routing changed, so what had nowhere to go may have
 * somewhere now. Returns how many.
 */
export async function wakeWaitingInbound(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db
    .updateTable('inbound_submissions')
    .set({ next_attempt_at: now })
    .where('state', '=', 'waiting')
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
