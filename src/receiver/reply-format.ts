import { z } from 'zod';
import { ATTACHMENT_ID_RULE, DATA_MEDIA_TYPES, isAttachmentId } from './format.js';

/**
 * The `amtsbote-reply/1` format in code: the contract between the specialist procedure (which builds a reply
 * with the receiver kit), the gateway (which checks and countersigns it) and the portal (which opens it with
 * the portal kit). docs/sealed-reply.md is the normative text; this file must agree with it.
 *
 * The JOSE choices are those of `amtsbote-sealed/1` (format.ts): PS512 signatures with the protected header
 * `{alg, kid, typ: JOSE, cty: application/json}`, RSA-OAEP-256 + A256GCM compact JWEs, no `zip`.
 */
export const REPLY_FORMAT = 'amtsbote-reply/1';

/** What a reply is, for the portal and the citizen: a decision, a request for documents, or information. */
export const REPLY_KINDS = ['notice', 'request', 'information'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** The reply's data part: JSON or XML, like a sealed message's body. */
export const REPLY_DATA_MEDIA_TYPES = DATA_MEDIA_TYPES;

/** At most this many attachments per reply (the same bound as a sealed message's metadata). */
export const REPLY_MAX_ATTACHMENTS = 1000;

const HEX_SHA512 = /^[0-9a-f]{128}$/;
const HEX_SHA512_RULE = 'must be 128 lower-case hex digits (SHA-512)';
/** RFC 7638 SHA-256 thumbprint, base64url without padding: 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/;
/** Three or five base64url segments: the shape of a compact JWS or JWE (decoding is checked where it is used). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_RULE = { min: 1, max: 200 } as const;

const sha512Hex = z.string().regex(HEX_SHA512, HEX_SHA512_RULE);
const identifier = z.string().min(ID_RULE.min).max(ID_RULE.max);
const compactJws = z.string().regex(COMPACT_JWS, 'must be a compact JWS (three base64url segments)');
const compactJwe = z.string().regex(COMPACT_JWE, 'must be a compact JWE (five base64url segments)');

/** The reply's data, as the signed metadata describes it. */
export const replyDataEntrySchema = z.looseObject({
  mediaType: z.enum(REPLY_DATA_MEDIA_TYPES),
  /** The schema the data follow (a JSON Schema's `$id`, an XSD's namespace or a published URL): an identifier. */
  schemaUri: z.string().min(1).max(2000),
  /** SHA-512 of the plain bytes: the portal checks it after decrypting. */
  sha512: sha512Hex,
  /** SHA-512 of the compact JWE text: the gateway checks it without decrypting. */
  jweSha512: sha512Hex,
});

export const replyAttachmentEntrySchema = z.looseObject({
  id: z.string().refine(isAttachmentId, ATTACHMENT_ID_RULE),
  filename: z.string().min(1).max(255),
  mediaType: z.string().regex(MEDIA_TYPE, 'must be a media type'),
  sha512: sha512Hex,
  jweSha512: sha512Hex,
});

/**
 * The metadata the destination signs (PS512, its registered receipt key). Members not listed here are kept
 * (a later `/1` revision may add optional ones); a breaking change gets a new format.
 */
export const replyMetadataSchema = z.looseObject({
  /** Chosen by the destination; the idempotency key of `POST /v1/replies`. */
  replyId: z.string().regex(UUID, 'must be a lower-case UUID'),
  submissionId: identifier,
  /** The id of the sealed message this destination received (and answers). */
  messageId: identifier,
  destinationId: identifier,
  kind: z.enum(REPLY_KINDS),
  createdAt: z.iso.datetime({ offset: true }),
  /** The kid of the portal's reply key that every JWE of the reply is encrypted to. */
  encryptionKid: z.string().min(1).max(200),
  data: replyDataEntrySchema,
  attachments: z.array(replyAttachmentEntrySchema).max(REPLY_MAX_ATTACHMENTS),
});
export type ReplyMetadata = z.infer<typeof replyMetadataSchema>;
export type ReplyAttachmentEntry = ReplyMetadata['attachments'][number];

/** `encryptedAttachments`: attachment id → compact JWE. */
const encryptedAttachmentsSchema = z.record(z.string().refine(isAttachmentId, ATTACHMENT_ID_RULE), compactJwe);

/** What the specialist procedure POSTs to `POST /v1/replies` (`application/json`). */
export const postedReplySchema = z.looseObject({
  format: z.literal(REPLY_FORMAT),
  signedMetadata: compactJws,
  encryptedData: compactJwe,
  encryptedAttachments: encryptedAttachmentsSchema,
});
export type PostedReply = z.infer<typeof postedReplySchema>;

/** The destination's public receipt key as the gateway countersigns it: RSA members and the kid only. */
export const destinationKeySchema = z.looseObject({
  kty: z.literal('RSA'),
  n: z.string().regex(/^[A-Za-z0-9_-]+$/),
  e: z.string().regex(/^[A-Za-z0-9_-]+$/),
  kid: z.string().min(1),
});
export type DestinationKeyJwk = z.infer<typeof destinationKeySchema>;

/** What the gateway signs over a reply it forwards (its countersignature's payload). */
export const countersignaturePayloadSchema = z.looseObject({
  replyId: z.string().regex(UUID, 'must be a lower-case UUID'),
  submissionId: identifier,
  /** The reply's place among the submission's replies, from 1. */
  seq: z.number().int().min(1),
  destinationId: identifier,
  receivedAt: z.iso.datetime({ offset: true }),
  /** SHA-512 (hex) of the `signedMetadata` text, exactly as the destination posted it. */
  signedMetadataSha512: sha512Hex,
  /** The destination's public receipt key that verified `signedMetadata`. */
  destinationKey: destinationKeySchema,
  /** RFC 7638 SHA-256 thumbprint of `destinationKey`, base64url. */
  destinationKeyThumbprint: z.string().regex(THUMBPRINT, 'must be a base64url SHA-256 JWK thumbprint (RFC 7638)'),
});
export type CountersignaturePayload = z.infer<typeof countersignaturePayloadSchema>;

/** What the portal fetches (`GET /v1/submissions/{id}/replies/{replyId}`) and the portal kit opens. */
export const fetchedReplySchema = z.looseObject({
  format: z.literal(REPLY_FORMAT),
  replyId: z.string().regex(UUID, 'must be a lower-case UUID'),
  submissionId: identifier,
  seq: z.number().int().min(1),
  kind: z.enum(REPLY_KINDS),
  receivedAt: z.iso.datetime({ offset: true }),
  signedMetadata: compactJws,
  countersignature: compactJws,
  encryptedData: compactJwe,
  encryptedAttachments: encryptedAttachmentsSchema,
});
export type FetchedReply = z.infer<typeof fetchedReplySchema>;
