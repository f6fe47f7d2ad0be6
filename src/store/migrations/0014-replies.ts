import type { Kysely } from 'kysely';

/**
 * Issue 24, replies. `portal_reply_keys`: the keys a portal registers for the replies to its submissions (an
 * inline public JWK or a JWKS URL; a rotated-out key stays usable until `not_after`). `submissions.reply_key`:
 * the envelope's own `replyChannel.encryptionKey` (a public JWK), which wins over the portal's keys. `replies`:
 * what a destination sent back — ciphertext and signed metadata only, never plain content — with its place in
 * the submission (`seq`), its state towards the portal and the portal's confirmation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('portal_reply_keys')
    .addColumn('portal_id', 'text', (c) => c.notNull().references('portals.id'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('portal_reply_keys_pk', ['portal_id', 'kid'])
    .execute();
  await db.schema.alterTable('submissions').addColumn('reply_key', 'text').execute();
  await db.schema
    .createTable('replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('submission_id', 'text', (c) => c.notNull().references('submissions.id'))
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('encryption_kid', 'text', (c) => c.notNull())
    .addColumn('body_sha512', 'text', (c) => c.notNull())
    .addColumn('signed_metadata', 'text', (c) => c.notNull())
    .addColumn('countersignature', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('confirmation', 'text')
    .addColumn('ciphertext_deleted_at', 'text')
    .addUniqueConstraint('replies_submission_seq', ['submission_id', 'seq'])
    .execute();
  await db.schema.createIndex('replies_state').on('replies').columns(['state', 'received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('replies').execute();
  await db.schema.alterTable('submissions').dropColumn('reply_key').execute();
  await db.schema.dropTable('portal_reply_keys').execute();
}
