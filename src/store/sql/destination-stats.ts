import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DestinationStats } from '../types.js';
import { regionScope } from './region-scope.js';

/**
 * Per destination: messages waiting for delivery (pending, not deferred), since when the oldest waits,
 * and dead letters. Callbacks to portals are not counted: they are not deliveries to a destination.
 */
export async function destinationStats(db: Kysely<Database>, regions?: readonly string[]): Promise<DestinationStats[]> {
  const rows = await db
    .selectFrom('deliveries as d')
    .innerJoin('submissions as s', 's.id', 'd.submission_id')
    .select([
      'd.destination_id',
      sql<number | string>`sum(case when d.state = 'pending' then 1 else 0 end)`.as('waiting'),
      sql<string | null>`min(case when d.state = 'pending' then d.created_at end)`.as('oldest'),
      sql<number | string>`sum(case when d.state = 'dead-lettered' then 1 else 0 end)`.as('dead'),
    ])
    .where('d.kind', '=', 'message')
    .where('d.state', 'in', ['pending', 'dead-lettered'])
    .where(regionScope(regions))
    .groupBy('d.destination_id')
    .orderBy('d.destination_id')
    .execute();
  // PostgreSQL returns sums as strings
  return rows.map((r) => ({
    destinationId: r.destination_id,
    waiting: Number(r.waiting),
    oldestWaitingSince: r.oldest ?? undefined,
    deadLetters: Number(r.dead),
  }));
}
