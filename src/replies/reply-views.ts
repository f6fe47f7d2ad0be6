import { REPLY_FORMAT, type FetchedReply } from '../receiver/reply-format.js';
import { AmtsboteError } from '../lib/errors.js';
import { openReplyMetadata, type GatewayEscrowKey } from '../seal/index.js';
import type { StoredReply } from '../store/reply-types.js';

/** A reply in the portal's list and status view: no content, only what it is and where it stands. */
export function replySummary(reply: StoredReply, publicBaseUrl: string) {
  return {
    replyId: reply.id,
    seq: reply.seq,
    destinationId: reply.destinationId,
    messageId: reply.messageId,
    kind: reply.kind,
    state: reply.state,
    receivedAt: reply.receivedAt,
    fetchedAt: reply.fetchedAt,
    confirmation: reply.confirmation && { ...reply.confirmation, at: reply.confirmedAt },
    url: new URL(`v1/submissions/${reply.submissionId}/replies/${reply.id}`, publicBaseUrl.replace(/\/?$/, '/')).href,
  };
}

/**
 * The reply as the portal fetches it and the portal kit opens it (`amtsbote-reply/1`): the destination's signed
 * metadata verbatim (opened from its sealed copy in the store with the escrow key), the gateway's countersignature
 * and the ciphertext. After retention deleted the ciphertext there is nothing to open any more: 410-like
 * "not found" with the reason.
 */
export async function fetchedReply(
  reply: StoredReply,
  escrowKeys: ReadonlyMap<string, GatewayEscrowKey>,
): Promise<FetchedReply> {
  if (!reply.ciphertext)
    throw new AmtsboteError(
      'not-found',
      'The reply was confirmed and its content deleted after the retention period.',
      [],
      {
        reason: 'content-deleted',
      },
    );
  return {
    format: REPLY_FORMAT,
    replyId: reply.id,
    submissionId: reply.submissionId,
    seq: reply.seq,
    kind: reply.kind,
    receivedAt: reply.receivedAt,
    signedMetadata: await openReplyMetadata(reply.signedMetadata, escrowKeys, reply.id),
    countersignature: reply.countersignature,
    encryptedData: reply.ciphertext.encryptedData,
    encryptedAttachments: reply.ciphertext.encryptedAttachments,
  };
}

/** What the destination polls (`GET /v1/replies/{replyId}`): where its reply stands, the portal's confirmation. */
export function replyStatusForDestination(reply: StoredReply) {
  return {
    replyId: reply.id,
    submissionId: reply.submissionId,
    messageId: reply.messageId,
    seq: reply.seq,
    kind: reply.kind,
    state: reply.state,
    receivedAt: reply.receivedAt,
    fetchedAt: reply.fetchedAt,
    confirmation: reply.confirmation && { ...reply.confirmation, at: reply.confirmedAt },
  };
}
