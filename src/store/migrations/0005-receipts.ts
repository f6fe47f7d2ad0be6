import type { Kysely } from 'kysely';

/**
 * Receipts: every accepted SET's `jti` once (a replayed receipt is refused), and deferred deliveries that
 * wait for another delivery of the same submission to be accepted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('receipts')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('deliveries').addColumn('trigger_delivery_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('trigger_delivery_id').execute();
  await db.schema.dropTable('receipts').execute();
}
