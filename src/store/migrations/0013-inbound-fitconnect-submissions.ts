import type { Kysely } from 'kysely';

/**
 * Issue 23. The FIT-Connect submissions this gateway picks up as a destination's subscriber: one row per
 * FIT-Connect submission id (unique), its state (`pending` → `committed` → `accepted`, or `rejected`, or
 * `waiting` while routing or a mapping is missing), the onward submission it became, and a lease so that of
 * several instances exactly one works on it at a time. FIT-Connect's own deadlines (a reminder after 3 days,
 * its automatic reject after 14) are stored as computed at first sight, for the operator's view.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('onward_submission_id', 'text')
    .addColumn('service_key', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('remind_at', 'text', (c) => c.notNull())
    .addColumn('auto_reject_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbound_submissions_state')
    .on('inbound_submissions')
    .columns(['state', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_submissions').execute();
}
