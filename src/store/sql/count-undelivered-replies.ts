import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * How many replies of each kind the portal has not fetched since before `receivedBefore` (`replyPickupDays` ago),
 * for the metrics: the same replies `listUndeliveredReplies` shows the operator, counted without a limit.
 */
export async function countUndeliveredReplies(
  db: Kysely<Database>,
  receivedBefore: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('replies')
    .select((eb) => ['kind', eb.fn.countAll<number | string>().as('count')])
    .where('state', '=', 'received')
    .where('received_at', '<', receivedBefore)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.count)]));
}
