import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { RoutingVersion } from '../types.js';

export async function listRoutingVersions(db: Kysely<Database>): Promise<Omit<RoutingVersion, 'document'>[]> {
  const rows = await db
    .selectFrom('routing_versions')
    .select(['version', 'author', 'note', 'created_at'])
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({ version: r.version, author: r.author, note: r.note, createdAt: r.created_at }));
}
