import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { RoutingVersion } from '../types.js';
import { routingVersionFromRow } from './routing-version-row.js';

export async function getRoutingVersion(db: Kysely<Database>, version: number): Promise<RoutingVersion | undefined> {
  const row = await db.selectFrom('routing_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row && routingVersionFromRow(row);
}
