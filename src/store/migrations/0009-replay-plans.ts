import type { Kysely } from 'kysely';

/**
 * Replay plans: what a dead-letter dry run showed, kept for a few minutes so that the replay executes
 * exactly that (by plan id) and is refused when the selection or the deliveries have changed since.
 * In the store, not in memory: the dry run and the replay may reach different instances.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('replay_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('replay_plans_expires_at').on('replay_plans').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('replay_plans').execute();
}
