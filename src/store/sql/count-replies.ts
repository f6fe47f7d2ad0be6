import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Replies per kind and state, for the metrics (counts only). */
export async function countReplies(db: Kysely<Database>): Promise<{ kind: string; state: string; count: number }[]> {
  const rows = await db
    .selectFrom('replies')
    .select(['kind', 'state', (eb) => eb.fn.countAll().as('count')])
    .groupBy(['kind', 'state'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.count) }));
}
