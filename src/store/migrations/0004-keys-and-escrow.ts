import type { Kysely } from 'kysely';

/**
 * Which configured gateway key is active or retired is state in the store, so every instance follows a
 * rotation; the keys themselves are files. The escrow copy of each submission (encrypted to the gateway's
 * escrow key) is what replay with reroute and deferred fan-out re-seal from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gateway_key_states')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('escrow_copies')
    .addColumn('submission_id', 'text', (c) => c.primaryKey().references('submissions.id'))
    .addColumn('escrow_kid', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('deliveries').addColumn('authentication_tags', 'text').execute();
  await db.schema.createIndex('deliveries_signing_kid').on('deliveries').columns(['signing_kid', 'state']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_signing_kid').execute();
  await db.schema.alterTable('deliveries').dropColumn('authentication_tags').execute();
  await db.schema.dropTable('escrow_copies').execute();
  await db.schema.dropTable('gateway_key_states').execute();
}
