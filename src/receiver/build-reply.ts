import { randomUUID } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK } from 'jose';
import { sha512 } from '../lib/sha512.js';
import { ReceiverError } from './errors.js';
import { isAttachmentId, JWE_ALG, JWE_ENC, JWS_ALG, JWS_CTY, JWS_TYP, type SealedMetadata } from './format.js';
import {
  REPLY_DATA_MEDIA_TYPES,
  REPLY_FORMAT,
  REPLY_KINDS,
  REPLY_MAX_ATTACHMENTS,
  replyMetadataSchema,
  type PostedReply,
  type ReplyKind,
  type ReplyMetadata,
} from './reply-format.js';
import { prepareReplyKey } from './reply-key.js';

export interface ReplyAttachmentInput {
  /** The attachment's id in the reply (the format's id rule); default `attachment-<n>`. */
  id?: string;
  filename: string;
  mediaType: string;
  content: Uint8Array;
}

export interface BuildReplyOptions {
  /** The message being answered, as the kit opened it: its signed ids say which submission the reply is for. */
  message: { metadata: Pick<SealedMetadata, 'messageId' | 'submissionId' | 'destinationId'> };
  kind: ReplyKind;
  data: { content: Uint8Array; mediaType: string; schemaUri: string };
  attachments?: readonly ReplyAttachmentInput[];
  /** The portal's public reply key (JWK with kid, or a JWK Set of one key): every part is encrypted to it. */
  replyKey: unknown;
  /** The destination's receipt signing key (private JWK with kid), the key the gateway has registered. */
  signingJwk: Record<string, unknown>;
  /** The idempotency key; default a new UUID. Send the same reply again with the same id. */
  replyId?: string;
  now?: Date;
}

export interface BuiltReply {
  reply: PostedReply;
  metadata: ReplyMetadata;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/;

/**
 * Builds an `amtsbote-reply/1` reply to a received message: the data and every attachment encrypted to the
 * portal's reply key (compact JWE, RSA-OAEP-256 + A256GCM, `cty` = the part's media type), and the metadata —
 * ids, kind, `encryptionKid`, the SHA-512 of every part's plain bytes and of its JWE text — signed PS512 with
 * the destination's receipt key. The result is what `POST /v1/replies` takes.
 */
export async function buildReply(options: BuildReplyOptions): Promise<BuiltReply> {
  const { kind, data } = options;
  if (!(REPLY_KINDS as readonly string[]).includes(kind))
    throw invalid(`the kind must be one of ${REPLY_KINDS.join(', ')}, found ${JSON.stringify(kind)}`);
  if (!(REPLY_DATA_MEDIA_TYPES as readonly string[]).includes(data.mediaType))
    throw invalid(`the data's media type must be ${REPLY_DATA_MEDIA_TYPES.join(' or ')}, found "${data.mediaType}"`);
  if (data.schemaUri === '') throw invalid('the data need a schema URI');
  const attachments = (options.attachments ?? []).map((a, i) => ({ ...a, id: a.id ?? `attachment-${i + 1}` }));
  checkAttachments(attachments);
  const replyKey = prepareReplyKey(options.replyKey);
  const signingKid = options.signingJwk.kid;
  if (typeof signingKid !== 'string' || signingKid === '')
    throw new ReceiverError('key-without-kid', 'the receipt signing key has no kid');

  const encrypt = (content: Uint8Array, cty: string) =>
    new CompactEncrypt(content)
      .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, kid: replyKey.kid, cty })
      .encrypt(replyKey.key);
  const encryptedData = await encrypt(data.content, data.mediaType);
  const encryptedAttachments: Record<string, string> = {};
  const entries: ReplyMetadata['attachments'] = [];
  for (const a of attachments) {
    const jwe = await encrypt(a.content, a.mediaType);
    encryptedAttachments[a.id] = jwe;
    entries.push({
      id: a.id,
      filename: a.filename,
      mediaType: a.mediaType,
      sha512: sha512(a.content),
      jweSha512: sha512(Buffer.from(jwe, 'ascii')),
    });
  }
  const { metadata: message } = options.message;
  const candidate = {
    replyId: options.replyId ?? randomUUID(),
    submissionId: message.submissionId,
    messageId: message.messageId,
    destinationId: message.destinationId,
    kind,
    createdAt: (options.now ?? new Date()).toISOString(),
    encryptionKid: replyKey.kid,
    data: {
      mediaType: data.mediaType,
      schemaUri: data.schemaUri,
      sha512: sha512(data.content),
      jweSha512: sha512(Buffer.from(encryptedData, 'ascii')),
    },
    attachments: entries,
  };
  // The kit writes nothing the gateway would refuse: the same schema checks both ends.
  const parsed = replyMetadataSchema.safeParse(candidate);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const key = await importJWK({ ...options.signingJwk, alg: JWS_ALG }, JWS_ALG);
  const signedMetadata = await new CompactSign(Buffer.from(JSON.stringify(parsed.data), 'utf8'))
    .setProtectedHeader({ alg: JWS_ALG, kid: signingKid, typ: JWS_TYP, cty: JWS_CTY })
    .sign(key);
  return {
    reply: { format: REPLY_FORMAT, signedMetadata, encryptedData, encryptedAttachments },
    metadata: parsed.data,
  };
}

function checkAttachments(attachments: readonly (ReplyAttachmentInput & { id: string })[]): void {
  if (attachments.length > REPLY_MAX_ATTACHMENTS)
    throw invalid(`a reply carries at most ${REPLY_MAX_ATTACHMENTS} attachments`);
  const seen = new Set<string>();
  for (const a of attachments) {
    if (!isAttachmentId(a.id)) throw invalid(`${JSON.stringify(a.id)} is not an attachment id`);
    if (seen.has(a.id)) throw invalid(`the attachment id "${a.id}" is given twice`);
    seen.add(a.id);
    if (a.filename === '' || a.filename.length > 255)
      throw invalid(`the attachment "${a.id}" needs a file name of 1–255 characters`);
    if (!MEDIA_TYPE.test(a.mediaType))
      throw invalid(`the attachment "${a.id}" has no valid media type (${JSON.stringify(a.mediaType)})`);
  }
}

function invalid(message: string): ReceiverError {
  return new ReceiverError('invalid-reply-input', message);
}
