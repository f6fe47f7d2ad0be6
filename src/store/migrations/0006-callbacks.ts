import type { Kysely } from 'kysely';

/**
 * Portal callbacks travel through the same outbox as messages: a delivery's `kind` tells them apart, so
 * retries, back-off and dead letters are the same machinery. Portals gain their callback settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('message'))
    .execute();
  await db.schema.alterTable('portals').addColumn('callback', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('portals').dropColumn('callback').execute();
  await db.schema.alterTable('deliveries').dropColumn('kind').execute();
}
