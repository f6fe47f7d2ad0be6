import type { Kysely } from 'kysely';
import type { Database, RoutingVersionTable } from '../schema.js';
import type { RoutingVersion } from '../types.js';

function fromRow(r: RoutingVersionTable): RoutingVersion {
  return { version: r.version, document: JSON.parse(r.document) as unknown, author: r.author, note: r.note, createdAt: r.created_at };
}

export async function currentRoutingVersion(db: Kysely<Database>): Promise<RoutingVersion | undefined> {
  const row = await db.selectFrom('routing_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row && fromRow(row);
}

/** The number of the newest version only: what every instance polls to notice a change. */
export async function currentRoutingVersionNumber(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('routing_versions').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  return row?.v ?? 0;
}

export async function getRoutingVersion(db: Kysely<Database>, version: number): Promise<RoutingVersion | undefined> {
  const row = await db.selectFrom('routing_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row && fromRow(row);
}

export async function listRoutingVersions(db: Kysely<Database>): Promise<Omit<RoutingVersion, 'document'>[]> {
  const rows = await db.selectFrom('routing_versions').select(['version', 'author', 'note', 'created_at']).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, author: r.author, note: r.note, createdAt: r.created_at }));
}

/**
 * Appends a version only if the newest is still `expected` (optimistic concurrency: an editor who saw an
 * older version gets a conflict, never a silent overwrite). The primary key makes two concurrent appends
 * of the same number impossible. Returns the new version number, or undefined on conflict.
 */
export async function appendRoutingVersion(
  db: Kysely<Database>,
  expected: number,
  entry: { document: unknown; author: string; note: string; createdAt: string },
): Promise<number | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await currentRoutingVersionNumber(trx);
      if (current !== expected) return undefined;
      const version = current + 1;
      await trx
        .insertInto('routing_versions')
        .values({ version, document: JSON.stringify(entry.document), author: entry.author, note: entry.note, created_at: entry.createdAt })
        .execute();
      return version;
    });
  } catch (error) {
    // Another writer took the number first: that is a conflict, not a fault.
    if ((await currentRoutingVersionNumber(db)) !== expected) return undefined;
    throw error;
  }
}
