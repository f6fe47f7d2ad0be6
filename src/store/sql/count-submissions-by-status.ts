import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { regionScope } from './region-scope.js';

/** Submissions received since `since`, counted by status. */
export async function countSubmissionsByStatus(
  db: Kysely<Database>,
  since: string,
  regions?: readonly string[],
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('submissions as s')
    .select(['s.status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('s.received_at', '>=', since)
    .where(regionScope(regions))
    .groupBy('s.status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
