import type { Kysely } from 'kysely';

/** The deadline a deferred delivery stored before this migration gets: the routing schema's default (P7D, release). */
const legacyWaitMs = 7 * 86_400_000;

/**
 * Issue 27. Deferred deliveries wait at most until a deadline fixed at receipt (`deferred_until`), and then are
 * released or dead-lettered (`on_timeout`); the deferred deliveries already stored get the default, counted
 * from their creation, so none waits forever. And `poll_leases`: which instance fetches a destination's
 * receipts (FIT-Connect's event logs), so that several instances do not each poll every case.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('deferred_until', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('on_timeout', 'text').execute();
  await db.schema.createIndex('deliveries_deferred_until').on('deliveries').column('deferred_until').execute();
  const tables = db as unknown as Kysely<Tables>;
  const waiting = await tables
    .selectFrom('deliveries')
    .select(['id', 'created_at'])
    .where('state', '=', 'deferred')
    .execute();
  for (const row of waiting) {
    await tables
      .updateTable('deliveries')
      .set({
        deferred_until: new Date(Date.parse(row.created_at) + legacyWaitMs).toISOString(),
        on_timeout: 'release',
      })
      .where('id', '=', row.id)
      .execute();
  }
  await db.schema
    .createTable('poll_leases')
    .addColumn('destination_id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('poll_leases').execute();
  await db.schema.dropIndex('deliveries_deferred_until').execute();
  await db.schema.alterTable('deliveries').dropColumn('on_timeout').execute();
  await db.schema.alterTable('deliveries').dropColumn('deferred_until').execute();
}

interface Tables {
  deliveries: {
    id: string;
    state: string;
    created_at: string;
    deferred_until: string | null;
    on_timeout: string | null;
  };
}
