import type { Selectable } from 'kysely';
import type { ReplyTable } from '../schema.js';
import type { ReplyCiphertext, ReplyConfirmation, ReplyKind, ReplyState, StoredReply } from '../reply-types.js';

/** A reply from its table row; JSON columns as text. */
export function replyFromRow(r: Selectable<ReplyTable>): StoredReply {
  return {
    id: r.id,
    submissionId: r.submission_id,
    destinationId: r.destination_id,
    messageId: r.message_id,
    seq: r.seq,
    kind: r.kind as ReplyKind,
    state: r.state as ReplyState,
    encryptionKid: r.encryption_kid,
    bodySha512: r.body_sha512,
    signedMetadata: r.signed_metadata,
    countersignature: r.countersignature,
    ciphertext: r.ciphertext ? (JSON.parse(r.ciphertext) as ReplyCiphertext) : undefined,
    receivedAt: r.received_at,
    fetchedAt: r.fetched_at ?? undefined,
    confirmedAt: r.confirmed_at ?? undefined,
    confirmation: r.confirmation ? (JSON.parse(r.confirmation) as ReplyConfirmation) : undefined,
    ciphertextDeletedAt: r.ciphertext_deleted_at ?? undefined,
  };
}
