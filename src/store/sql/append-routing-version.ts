import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { currentRoutingVersionNumber } from './current-routing-version-number.js';

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
        .values({
          version,
          document: JSON.stringify(entry.document),
          author: entry.author,
          note: entry.note,
          created_at: entry.createdAt,
        })
        .execute();
      return version;
    });
  } catch (error) {
    // Another writer took the number first: that is a conflict, not a fault.
    if ((await currentRoutingVersionNumber(db)) !== expected) return undefined;
    throw error;
  }
}
