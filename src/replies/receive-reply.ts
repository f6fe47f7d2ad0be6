import { canonicalize } from 'json-canonicalize';
import { destinationKeySources } from '../config/destination-key-sources.js';
import { AmtsboteError } from '../lib/errors.js';
import { sha512 } from '../lib/sha512.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { KeyRing } from '../seal/index.js';
import {
  countersignReply,
  parsePostedReply,
  peekReplyMetadata,
  replyError,
  sealReplyMetadata,
  verifyPostedReply,
} from '../seal/index.js';
import type { StoredReply } from '../store/reply-types.js';
import type { Store } from '../store/store.js';
import { submissionReplyKeys } from './submission-reply-keys.js';

export interface ReplyContext {
  store: Store;
  routing: RoutingState;
  sealing: KeyRing;
  clock: () => Date;
  /** Base of the status links handed out. */
  publicBaseUrl: string;
}

export interface ReceivedReply {
  replyId: string;
  submissionId: string;
  seq: number;
  state: StoredReply['state'];
  statusUrl: string;
  /** True when this reply id was stored before with the same body (the first stands). */
  replayed: boolean;
}

/** States of a message that its destination has received (and so may answer). */
const received = new Set(['delivered', 'accepted', 'rejected']);

/** Attempts at taking the next `seq` while other replies to the same submission take it first. */
const seqAttempts = 5;

/**
 * `POST /v1/replies`: a sealed reply from a destination (issue 24). Verified against the destination's registered
 * receipt key; the destination must have received this message of this submission, and the submission must have
 * a reply key that every part is encrypted to. Stored as ciphertext and signed metadata (sealed to the escrow
 * key) only, countersigned by the gateway, recorded in the submission's event log and announced to the portal by
 * callback, in one transaction. Idempotent on `replyId`: the first stands, the same body again answers as before,
 * another body is a conflict. Anything wrong is a precise problem and stores nothing.
 */
export async function receiveReply(ctx: ReplyContext, body: unknown): Promise<ReceivedReply> {
  const posted = parsePostedReply(body);
  const { destinationId, kid } = peekReplyMetadata(posted.signedMetadata);
  const destination = ctx.routing.current().routing.destinations.find((d) => d.id === destinationId);
  if (!destination)
    throw replyError('unknown-destination', `No destination ${destinationId.slice(0, 100)}.`, '/signedMetadata');
  let receiptKey;
  try {
    receiptKey = await ctx.sealing.resolver.receiptKey(destinationKeySources(destination).receipt, kid);
  } catch {
    throw replyError(
      'unknown-signing-key',
      `Key ${kid.slice(0, 100)} is not a registered receipt key of ${destination.id}.`,
      '/signedMetadata',
    );
  }
  const claimed = unverifiedPayload(posted.signedMetadata);
  const now = ctx.clock();
  const submission = await ctx.store.getSubmission(claimed.submissionId);
  const answerable =
    submission?.deliveries.some(
      (d) => d.id === claimed.messageId && d.destinationId === destination.id && received.has(d.state),
    ) ?? false;
  const keys = submission && answerable ? await submissionReplyKeys(ctx.store, submission, now) : [];
  // The signature is checked first, whatever else is wrong: an unsigned body learns nothing of the store.
  const verified = await verifyPostedReply(posted, {
    receiptKey,
    replyKeyKids: keys.length > 0 ? keys.map((k) => k.kid) : [claimed.encryptionKid],
  });
  const metadata = verified.metadata;
  if (metadata.destinationId !== destination.id || metadata.submissionId !== claimed.submissionId)
    throw replyError('malformed-metadata', 'The signed metadata changed while it was read.', '/signedMetadata');
  if (!submission || !answerable)
    throw replyError(
      'not-received',
      `${destination.id} received no message ${metadata.messageId.slice(0, 100)} of submission ${metadata.submissionId.slice(0, 100)}.`,
      '/signedMetadata',
    );
  if (keys.length === 0)
    throw replyError(
      'unanswerable',
      'The submission carries no reply key and its portal has registered none: it cannot be answered through the gateway.',
      '/signedMetadata',
    );

  const bodySha512 = sha512(
    Buffer.from(
      canonicalize({
        signedMetadata: posted.signedMetadata,
        encryptedData: posted.encryptedData,
        encryptedAttachments: posted.encryptedAttachments,
      }),
      'utf8',
    ),
  );
  const statusUrl = new URL(`v1/replies/${metadata.replyId}`, ctx.publicBaseUrl.replace(/\/?$/, '/')).href;
  const replyUrl = new URL(
    `v1/submissions/${submission.id}/replies/${metadata.replyId}`,
    ctx.publicBaseUrl.replace(/\/?$/, '/'),
  ).href;
  const earlier = await ctx.store.getReply(metadata.replyId);
  if (earlier) return answerForEarlier(earlier, bodySha512, statusUrl);
  // Stored sealed to the escrow key: its payload carries the attachments' file names, often personal names.
  const sealedMetadata = sealReplyMetadata(posted.signedMetadata, metadata.replyId, ctx.sealing.escrow());

  for (let attempt = 0; attempt < seqAttempts; attempt++) {
    const seq = await ctx.store.nextReplySeq(submission.id);
    const { countersignature } = await countersignReply(
      {
        replyId: metadata.replyId,
        submissionId: submission.id,
        seq,
        destinationId: destination.id,
        receivedAt: now,
        signedMetadata: posted.signedMetadata,
        destinationKey: receiptKey,
      },
      ctx.sealing.signing(),
    );
    const result = await ctx.store.insertReply(
      {
        id: metadata.replyId,
        submissionId: submission.id,
        destinationId: destination.id,
        messageId: metadata.messageId,
        seq,
        kind: metadata.kind,
        encryptionKid: metadata.encryptionKid,
        bodySha512,
        signedMetadata: sealedMetadata,
        countersignature,
        ciphertext: { encryptedData: posted.encryptedData, encryptedAttachments: posted.encryptedAttachments },
        receivedAt: now.toISOString(),
      },
      { replyUrl },
    );
    if (result.kind === 'existing') return answerForEarlier(result.reply, bodySha512, statusUrl);
    if (result.kind === 'created')
      return {
        replyId: metadata.replyId,
        submissionId: submission.id,
        seq,
        state: 'received',
        statusUrl,
        replayed: false,
      };
  }
  throw new AmtsboteError('conflict', 'Other replies to this submission kept arriving at once; send it again.');
}

/** The same reply id again: the same body answers as the first time did; another body is refused. */
function answerForEarlier(earlier: StoredReply, bodySha512: string, statusUrl: string): ReceivedReply {
  if (earlier.bodySha512 !== bodySha512)
    throw new AmtsboteError(
      'conflict',
      `A different reply with the id ${earlier.id} was received before; the first stands.`,
      [{ pointer: '/signedMetadata', detail: 'replyId taken by another reply' }],
      { reason: 'reply-id-taken' },
    );
  return {
    replyId: earlier.id,
    submissionId: earlier.submissionId,
    seq: earlier.seq,
    state: earlier.state,
    statusUrl,
    replayed: true,
  };
}

/**
 * The ids the signed metadata claims, read before its signature is checked: only to find the submission and its
 * reply keys, which the verification needs. Everything is taken from the verified metadata afterwards.
 */
function unverifiedPayload(jws: string): { submissionId: string; messageId: string; encryptionKid: string } {
  let payload: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') payload = parsed as Record<string, unknown>;
  } catch {
    // verifyPostedReply says precisely what is wrong
  }
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : '');
  return {
    submissionId: text(payload.submissionId),
    messageId: text(payload.messageId),
    encryptionKid: text(payload.encryptionKid) || '-',
  };
}
