import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { AcceptInput, AcceptResult } from '../types.js';
import { appendFirstEvent } from './append-event.js';

/** One submission in a transaction of its own (PostgreSQL; SQLite groups them, see sqlite-grouped-accept.ts). */
export async function acceptSubmission(db: Kysely<Database>, input: AcceptInput): Promise<AcceptResult> {
  return db.transaction().execute((trx) => writeSubmission(trx, input));
}

/**
 * Writes one accepted submission inside `trx`: its idempotency key, the submission, its deliveries, sealed
 * messages, escrow copy and first event. All or nothing only together with the caller's transaction (or
 * savepoint), which must not be committed before this resolves.
 */
export async function writeSubmission(trx: Transaction<Database>, input: AcceptInput): Promise<AcceptResult> {
  const { submission: s, deliveries, event, idempotency } = input;
  if (idempotency) {
    // The key is claimed first, inside the transaction, so two requests with one key cannot both create a
    // submission: on PostgreSQL the second insert waits for the first transaction and then does nothing,
    // and the second request reads what the first committed (SQLite's single writer orders them anyway, and
    // within one grouped commit a later savepoint sees the key an earlier one claimed).
    await trx
      .deleteFrom('idempotency_keys')
      .where('portal_id', '=', s.portalId)
      .where('key', '=', idempotency.key)
      .where('expires_at', '<=', s.receivedAt)
      .execute();
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({
        portal_id: s.portalId,
        key: idempotency.key,
        content_hmac: idempotency.contentHmac,
        submission_id: s.id,
        created_at: s.receivedAt,
        expires_at: idempotency.expiresAt,
      })
      .onConflict((oc) => oc.columns(['portal_id', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const existing = await trx
        .selectFrom('idempotency_keys')
        .select(['submission_id', 'content_hmac'])
        .where('portal_id', '=', s.portalId)
        .where('key', '=', idempotency.key)
        .executeTakeFirstOrThrow();
      return { kind: 'existing', submissionId: existing.submission_id, contentHmac: existing.content_hmac } as const;
    }
  }
  await trx
    .insertInto('submissions')
    .values({
      id: s.id,
      portal_id: s.portalId,
      service_key: s.serviceKey,
      region_key: s.regionKey,
      status: s.status,
      reference: s.reference ?? null,
      test: s.test ? 1 : 0,
      callback_url: s.callbackUrl ?? null,
      authentication: s.authentication ? JSON.stringify(s.authentication) : null,
      payment: s.payment ? JSON.stringify(s.payment) : null,
      data_hmac: s.dataHmac,
      attachments: JSON.stringify(s.attachments),
      received_at: s.receivedAt,
      updated_at: s.receivedAt,
      routing_version: s.routingVersion ?? null,
      reply_key: s.replyKey ? JSON.stringify(s.replyKey) : null,
    })
    .execute();
  if (deliveries.length > 0) {
    await trx
      .insertInto('deliveries')
      .values(
        deliveries.map((d) => ({
          id: d.id,
          submission_id: s.id,
          destination_id: d.destinationId,
          state: d.state,
          next_attempt_at: d.state === 'pending' ? s.receivedAt : null,
          created_at: s.receivedAt,
          updated_at: s.receivedAt,
          signing_kid: d.signingKid ?? null,
          authentication_tags: d.authenticationTags ? JSON.stringify(d.authenticationTags) : null,
          trigger_delivery_id: d.triggerDeliveryId ?? null,
          deferred_until: d.deferredUntil ?? null,
          on_timeout: d.onTimeout ?? null,
        })),
      )
      .execute();
  }
  if (input.escrow) {
    await trx
      .insertInto('escrow_copies')
      .values({
        submission_id: s.id,
        escrow_kid: input.escrow.escrowKid,
        body: input.escrow.body,
        created_at: s.receivedAt,
      })
      .execute();
  }
  const messages = input.messages ?? [];
  if (messages.length > 0) {
    await trx
      .insertInto('sealed_messages')
      .values(
        messages.map((m) => ({
          delivery_id: m.deliveryId,
          content_type: m.contentType,
          body: m.body,
          created_at: s.receivedAt,
        })),
      )
      .execute();
  }
  await appendFirstEvent(trx, s.id, event);
  return { kind: 'created' } as const;
}
