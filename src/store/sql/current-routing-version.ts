import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { RoutingVersion } from '../types.js';
import { routingVersionFromRow } from './routing-version-row.js';

export async function currentRoutingVersion(db: Kysely<Database>): Promise<RoutingVersion | undefined> {
  const row = await db
    .selectFrom('routing_versions')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && routingVersionFromRow(row);
}
