import type { KeyObject } from 'node:crypto';
import { sha512 } from '../lib/sha512.js';
import { issuePointer } from '../lib/zod-issue-pointer.js';
import { decryptPart } from '../receiver/decrypt-part.js';
import { isOpenSealedMessageError } from '../receiver/errors.js';
import { preparePinnedJwks, type JsonWebKeySet } from '../receiver/pinned-jwks.js';
import { prepareRecipientKeys, type RecipientKeyRing, type RecipientPrivateKey } from '../receiver/recipient-keys.js';
import {
  replyMetadataSchema,
  type CountersignaturePayload,
  type ReplyKind,
  type ReplyMetadata,
} from '../receiver/reply-format.js';
import { OpenReplyError } from './errors.js';
import { parseFetchedReply } from './parse-fetched-reply.js';
import { verifyCountersignature } from './verify-countersignature.js';
import { verifyPs512Json } from './verify-ps512.js';

export interface OpenReplyOptions {
  /** The portal's private reply key(s): a private RSA JWK with its kid, or several during a rotation. */
  privateKeys: RecipientPrivateKey | readonly RecipientPrivateKey[];
  /** The gateway's public signing keys as the portal pinned them (never keys that arrive with a reply). */
  gatewayJwks: JsonWebKeySet;
  /** The portal's own submission id: a reply to another submission is refused. */
  expectedSubmissionId?: string;
}

export interface OpenedReplyAttachment {
  content: Buffer;
  mediaType: string;
  filename: string;
}

export interface OpenedReply {
  replyId: string;
  submissionId: string;
  seq: number;
  kind: ReplyKind;
  destinationId: string;
  receivedAt: string;
  /** The destination's verified metadata. */
  metadata: ReplyMetadata;
  /** The gateway's verified countersignature payload (with the destination key that verified the metadata). */
  countersignature: CountersignaturePayload;
  /** Evidence, as received: the destination's compact JWS and the gateway's. */
  signedMetadata: string;
  countersignatureJws: string;
  data: Buffer;
  dataMediaType: ReplyMetadata['data']['mediaType'];
  schemaUri: string;
  /** Keyed by attachment id, in the metadata's order. */
  attachments: Map<string, OpenedReplyAttachment>;
}

/**
 * Opens an `amtsbote-reply/1` reply as the portal fetched it: verifies the gateway's countersignature with a
 * pinned key, that it covers exactly this signed metadata and a destination key with the countersigned
 * thumbprint, the authority's own signature with that key, the ids on all three levels; decrypts every part
 * with the portal's reply key and checks every SHA-512. Throws OpenReplyError with a precise code otherwise.
 */
export async function openReply(input: unknown, options: OpenReplyOptions): Promise<OpenedReply> {
  const reply = parseFetchedReply(input);
  const keys = prepareRecipientKeys(options.privateKeys);
  const pinned = preparePinnedJwks(options.gatewayJwks);

  const { payload: countersigned, destinationKey } = await verifyCountersignature(reply, pinned);
  const metadata = await verifyMetadata(reply.signedMetadata, countersigned, destinationKey);

  const mismatch = (what: string, found: unknown, expected: unknown) =>
    new OpenReplyError(
      'reply-mismatch',
      'metadata',
      `the signed ${what} ${JSON.stringify(found)} is not the countersigned ${JSON.stringify(expected)}`,
    );
  if (metadata.replyId !== countersigned.replyId) throw mismatch('replyId', metadata.replyId, countersigned.replyId);
  if (metadata.submissionId !== countersigned.submissionId)
    throw mismatch('submissionId', metadata.submissionId, countersigned.submissionId);
  if (metadata.destinationId !== countersigned.destinationId)
    throw mismatch('destinationId', metadata.destinationId, countersigned.destinationId);
  if (metadata.kind !== reply.kind)
    throw new OpenReplyError(
      'reply-mismatch',
      'metadata',
      `the reply's kind "${reply.kind}" is not the signed "${metadata.kind}"`,
    );
  if (options.expectedSubmissionId !== undefined && metadata.submissionId !== options.expectedSubmissionId)
    throw new OpenReplyError(
      'reply-mismatch',
      'metadata',
      `the reply is for the submission "${metadata.submissionId}", not "${options.expectedSubmissionId}"`,
    );

  const carried = Object.keys(reply.encryptedAttachments);
  const missing = metadata.attachments.filter((a) => !Object.hasOwn(reply.encryptedAttachments, a.id)).map((a) => a.id);
  const extra = carried.filter((id) => !metadata.attachments.some((a) => a.id === id));
  if (missing.length > 0 || extra.length > 0)
    throw new OpenReplyError(
      'attachment-set-mismatch',
      'reply',
      [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        extra.length > 0 ? `not signed ${extra.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );

  // In parallel (RSA runs on the thread pool); the first failing part in a fixed order is reported.
  const settled = await Promise.allSettled([
    openPart(reply.encryptedData, 'data', metadata.data, metadata.encryptionKid, keys),
    ...metadata.attachments.map((a) =>
      openPart(reply.encryptedAttachments[a.id] ?? '', `attachment:${a.id}`, a, metadata.encryptionKid, keys),
    ),
  ]);
  const [data, ...contents] = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason as Error;
    return result.value;
  });
  if (data === undefined) throw new OpenReplyError('malformed-reply', 'data', 'the data part is missing');
  const attachments = new Map<string, OpenedReplyAttachment>();
  metadata.attachments.forEach((a, i) => {
    attachments.set(a.id, { content: contents[i] ?? Buffer.alloc(0), mediaType: a.mediaType, filename: a.filename });
  });
  return {
    replyId: metadata.replyId,
    submissionId: metadata.submissionId,
    seq: countersigned.seq,
    kind: metadata.kind,
    destinationId: metadata.destinationId,
    receivedAt: countersigned.receivedAt,
    metadata,
    countersignature: countersigned,
    signedMetadata: reply.signedMetadata,
    countersignatureJws: reply.countersignature,
    data,
    dataMediaType: metadata.data.mediaType,
    schemaUri: metadata.data.schemaUri,
    attachments,
  };
}

/** Step 5: the authority's signature, with the destination key the gateway countersigned, and its payload. */
async function verifyMetadata(
  jws: string,
  countersigned: CountersignaturePayload,
  destinationKey: KeyObject,
): Promise<ReplyMetadata> {
  const json = await verifyPs512Json(
    jws,
    'metadata',
    (kid) =>
      kid === countersigned.destinationKey.kid
        ? destinationKey
        : `signed with the key "${kid}", not the countersigned destination key "${countersigned.destinationKey.kid}"`,
    'malformed-metadata',
  );
  const parsed = replyMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpenReplyError(
      'malformed-metadata',
      'metadata',
      `${(issue && issuePointer(issue.path)) || '/'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const ids = new Set<string>();
  for (const a of parsed.data.attachments) {
    if (ids.has(a.id))
      throw new OpenReplyError('malformed-metadata', 'metadata', `the attachment id "${a.id}" appears twice`);
    ids.add(a.id);
  }
  return parsed.data;
}

/** Step 7 for one part: its JWE text's SHA-512, its header, decryption, its `cty` and its plain bytes' SHA-512. */
async function openPart(
  jwe: string,
  part: string,
  expected: { mediaType: string; sha512: string; jweSha512: string },
  encryptionKid: string,
  keys: RecipientKeyRing,
): Promise<Buffer> {
  if (sha512(Buffer.from(jwe, 'utf8')) !== expected.jweSha512)
    throw new OpenReplyError('hash-mismatch', part, 'the SHA-512 of the JWE text differs from the signed jweSha512');
  let decrypted;
  try {
    decrypted = await decryptPart(jwe, part, keys);
  } catch (error) {
    if (isOpenSealedMessageError(error)) {
      const code =
        error.code === 'no-recipient-key' || error.code === 'decryption-failed' || error.code === 'unexpected-header'
          ? error.code
          : 'malformed-part';
      throw new OpenReplyError(code, part, error.message.replace(/^[a-z-]+ \([^)]*\): /, ''), { cause: error });
    }
    throw error;
  }
  const header = JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
  if (header.kid !== encryptionKid)
    throw new OpenReplyError(
      'no-recipient-key',
      part,
      `encrypted to "${String(header.kid)}", not the signed encryptionKid "${encryptionKid}"`,
    );
  if (decrypted.cty !== expected.mediaType)
    throw new OpenReplyError(
      'content-type-mismatch',
      part,
      `the JWE cty "${decrypted.cty}" is not the signed media type "${expected.mediaType}"`,
    );
  if (sha512(decrypted.plaintext) !== expected.sha512)
    throw new OpenReplyError('hash-mismatch', part, 'the SHA-512 of the plain bytes differs from the signed sha512');
  return decrypted.plaintext;
}
