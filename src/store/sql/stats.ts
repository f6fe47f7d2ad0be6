import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DestinationStats } from '../types.js';

/** ARS prefixes as one condition on the submission's region: the caller sees only these regions. */
const regionScope = (regions: readonly string[] | undefined) =>
  regions ? sql<boolean>`(${sql.join(regions.map((r) => sql`s.region_key like ${r + '%'}`), sql` or `)})` : sql<boolean>`1 = 1`;

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
  return rows.map((r) => ({ destinationId: r.destination_id, waiting: Number(r.waiting), oldestWaitingSince: r.oldest ?? undefined, deadLetters: Number(r.dead) }));
}

/** Submissions received since `since`, counted by status. */
export async function countSubmissionsByStatus(db: Kysely<Database>, since: string, regions?: readonly string[]): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('submissions as s')
    .select(['s.status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('s.received_at', '>=', since)
    .where(regionScope(regions))
    .groupBy('s.status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
