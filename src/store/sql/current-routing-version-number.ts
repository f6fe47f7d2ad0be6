import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The number of the newest version only: what every instance polls to notice a change. */
export async function currentRoutingVersionNumber(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('routing_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return row?.v ?? 0;
}
