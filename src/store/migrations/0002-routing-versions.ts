import type { Kysely } from 'kysely';

/** Routing lives in the store from here on: every change is a new version; submissions record theirs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('routing_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('submissions').addColumn('routing_version', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('submissions').dropColumn('routing_version').execute();
  await db.schema.dropTable('routing_versions').execute();
}
