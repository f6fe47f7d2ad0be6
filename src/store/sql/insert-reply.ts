import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { InsertReplyResult, NewReply } from '../reply-types.js';
import { appendEvent } from './append-event.js';
import { enqueueCallback } from './enqueue-callback.js';
import { replyFromRow } from './reply-row.js';

/**
 * Stores a verified, countersigned reply in one transaction with its `reply-received` event (the submission's
 * hash-chained log) and the portal's callback (the outbox), so none is committed without the others. A reply
 * id stored before is not stored again: the caller compares the bodies (the first stands). Writing the
 * submission row first takes its lock on PostgreSQL, so two replies to one submission take turns.
 */
export async function insertReply(
  db: Kysely<Database>,
  reply: NewReply,
  links: { replyUrl: string },
): Promise<InsertReplyResult> {
  return db.transaction().execute(async (trx) => {
    const submission = await trx
      .updateTable('submissions')
      .set({ updated_at: reply.receivedAt })
      .where('id', '=', reply.submissionId)
      .returning(['portal_id', 'callback_url'])
      .executeTakeFirstOrThrow();
    const existing = await trx.selectFrom('replies').selectAll().where('id', '=', reply.id).executeTakeFirst();
    if (existing) return { kind: 'existing', reply: replyFromRow(existing) } as const;
    const taken = await trx
      .selectFrom('replies')
      .select('id')
      .where('submission_id', '=', reply.submissionId)
      .where('seq', '=', reply.seq)
      .executeTakeFirst();
    if (taken) return { kind: 'seq-taken' } as const;
    await trx
      .insertInto('replies')
      .values({
        id: reply.id,
        submission_id: reply.submissionId,
        destination_id: reply.destinationId,
        message_id: reply.messageId,
        seq: reply.seq,
        kind: reply.kind,
        state: 'received',
        encryption_kid: reply.encryptionKid,
        body_sha512: reply.bodySha512,
        signed_metadata: reply.signedMetadata,
        countersignature: reply.countersignature,
        ciphertext: JSON.stringify(reply.ciphertext),
        received_at: reply.receivedAt,
      })
      .execute();
    const event = {
      replyId: reply.id,
      replySeq: reply.seq,
      destinationId: reply.destinationId,
      messageId: reply.messageId,
      kind: reply.kind,
    };
    const seq = await appendEvent(trx, reply.submissionId, {
      at: reply.receivedAt,
      type: 'reply-received',
      data: event,
    });
    await enqueueCallback(trx, {
      submissionId: reply.submissionId,
      portalId: submission.portal_id,
      callbackUrl: submission.callback_url,
      payload: {
        type: 'reply-received',
        submissionId: reply.submissionId,
        ...event,
        replyUrl: links.replyUrl,
        seq,
        at: reply.receivedAt,
      },
      at: reply.receivedAt,
    });
    return { kind: 'created', seq: reply.seq } as const;
  });
}
