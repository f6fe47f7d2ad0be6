import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The age classes deferred deliveries are counted in (since receipt): under an hour, a day, a week, and older. */
export const deferredAgeClasses = ['under-1h', '1h-1d', '1d-7d', 'over-7d'] as const;

export type DeferredAgeClass = (typeof deferredAgeClasses)[number];

/** Deferred deliveries of one destination by age class, and how many of them are past their deadline. */
export interface DeferredAges {
  destinationId: string;
  byAge: Record<DeferredAgeClass, number>;
  overdue: number;
}

/**
 * Deferred deliveries per destination by age (since receipt) and past their deadline — those wait for a
 * trigger that has not even been delivered. For the metrics; one grouped query, the classes as sums.
 */
export async function deferredByAge(db: Kysely<Database>, now: Date): Promise<DeferredAges[]> {
  const before = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'destination_id',
      sql<number | string>`sum(case when created_at > ${before(1)} then 1 else 0 end)`.as('h1'),
      sql<
        number | string
      >`sum(case when created_at <= ${before(1)} and created_at > ${before(24)} then 1 else 0 end)`.as('d1'),
      sql<
        number | string
      >`sum(case when created_at <= ${before(24)} and created_at > ${before(168)} then 1 else 0 end)`.as('d7'),
      sql<number | string>`sum(case when created_at <= ${before(168)} then 1 else 0 end)`.as('older'),
      sql<number | string>`sum(case when deferred_until <= ${now.toISOString()} then 1 else 0 end)`.as('overdue'),
    ])
    .where('state', '=', 'deferred')
    .groupBy('destination_id')
    .orderBy('destination_id')
    .execute();
  // PostgreSQL returns sums as strings
  return rows.map((r) => ({
    destinationId: r.destination_id,
    byAge: { 'under-1h': Number(r.h1), '1h-1d': Number(r.d1), '1d-7d': Number(r.d7), 'over-7d': Number(r.older) },
    overdue: Number(r.overdue),
  }));
}
