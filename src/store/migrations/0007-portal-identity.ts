import type { Kysely } from 'kysely';

/** A portal's own DVDV identity, for messages written on its behalf (XMeld's online-service messages). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('portals').addColumn('identity', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('portals').dropColumn('identity').execute();
}
