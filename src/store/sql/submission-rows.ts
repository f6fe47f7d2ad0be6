import type { Insertable } from 'kysely';
import { eventHash, genesisHash } from '../event-chain.js';
import type { Database } from '../schema.js';
import type { AcceptInput } from '../types.js';

/**
 * The rows one accepted submission writes (no SQL here): the statements of SQLite's savepoints
 * (accept-submission.ts) and PostgreSQL's single statement (accept-submission-at-once.ts) insert the same rows.
 */
export interface SubmissionRows {
  submission: Insertable<Database['submissions']>;
  deliveries: Insertable<Database['deliveries']>[];
  escrow?: Insertable<Database['escrow_copies']> | undefined;
  messages: Insertable<Database['sealed_messages']>[];
  /**
   * The first event of the chain: events reference their submission, so none can precede it and no previous
   * hash is read. Should one exist all the same, the unique (submission_id, seq) key fails the insert.
   */
  event: Insertable<Database['events']>;
}

export function submissionRows(input: AcceptInput): SubmissionRows {
  const { submission: s, deliveries, event } = input;
  return {
    submission: {
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
    },
    deliveries: deliveries.map((d) => ({
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
    escrow: input.escrow && {
      submission_id: s.id,
      escrow_kid: input.escrow.escrowKid,
      body: input.escrow.body,
      created_at: s.receivedAt,
    },
    messages: (input.messages ?? []).map((m) => ({
      delivery_id: m.deliveryId,
      content_type: m.contentType,
      body: m.body,
      created_at: s.receivedAt,
    })),
    event: {
      submission_id: s.id,
      seq: 1,
      at: event.at,
      type: event.type,
      data: JSON.stringify(event.data),
      prev_hash: genesisHash,
      hash: eventHash(genesisHash, s.id, 1, event),
    },
  };
}
