import type { Kysely } from 'kysely';
import { generatedId, type StoreDialect } from './dialect.js';

/**
 * The outbox: leases with a fencing number on each delivery, the sealed payload in a table of its own
 * (claiming updates the delivery row many times; the payload is written once), every attempt recorded,
 * and an audit log for operators' actions.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  for (const [name, type] of [
    ['lease_owner', 'text'],
    ['lease_until', 'text'],
    ['adapter_state', 'text'],
    ['last_error', 'text'],
    ['delivered_at', 'text'],
    ['final_at', 'text'],
    ['signing_kid', 'text'],
  ] as const) {
    await db.schema.alterTable('deliveries').addColumn(name, type).execute();
  }
  await db.schema
    .alterTable('deliveries')
    .addColumn('fence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('sealed_messages')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey().references('deliveries.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
    .addColumn('fence', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error_class', 'text')
    .addPrimaryKeyConstraint('delivery_attempts_pk', ['delivery_id', 'fence'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', generatedId(dialect))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deliveries_destination_state')
    .on('deliveries')
    .columns(['destination_id', 'state'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('delivery_attempts').execute();
  await db.schema.dropTable('sealed_messages').execute();
}
