import { z } from 'zod';
import { authenticationInfoSchema } from './authentication-info.js';
import { paymentInformationSchema } from './payment-information.js';

/**
 * The `amtsbote-sealed/1` format in code: the contract between the gateway (which seals) and the
 * receiver kit (which opens). docs/sealed-message.md is the normative text; this file must agree with it.
 */
export const SEALED_FORMAT = 'amtsbote-sealed/1';

/** Protected header values. */
export const JWS_ALG = 'PS512';
export const JWS_TYP = 'JOSE';
export const JWS_CTY = 'application/json';
export const JWE_ALG = 'RSA-OAEP-256';
export const JWE_ENC = 'A256GCM';
/** `cty` of the JWE that carries the signed metadata (a compact JWS). */
export const METADATA_CTY = 'JOSE';
export const DATA_MEDIA_TYPES = ['application/xml', 'application/json'] as const;
export type DataMediaType = (typeof DATA_MEDIA_TYPES)[number];

/** The characters and length of attachment ids (the portal API's pattern); see `isAttachmentId` for the rest. */
export const ATTACHMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Names an attachment id must not have although the pattern admits them: `.` and `..` mean folders as file
 * names, and the members of JavaScript's `Object.prototype` (`__proto__`, `constructor`, `toString`, …)
 * change or shadow an object's behaviour when a receiver uses the id as a member name — which the
 * container's `encryptedAttachments` invites. Listed, not computed, because this is the format's contract.
 */
const RESERVED_IDS: ReadonlySet<string> = new Set([
  '.',
  '..',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** The one rule for attachment ids, wherever one arrives (JSON envelope, multipart part name, sealed container). */
export function isAttachmentId(id: string): boolean {
  return ATTACHMENT_ID.test(id) && !RESERVED_IDS.has(id);
}

/**
 * What an attachment is, in FIT-Connect's words (its metadata's `purpose`): `form` — the portal's PDF rendering
 * of the whole application; `attachment` — a document the applicant uploaded (what an attachment without a
 * purpose counts as); `report` — a document the portal produced afterwards (a payment receipt, a check
 * result). FIT-Connect's fourth value, `data`, means the specialist data themselves sent out of band; the
 * gateway always carries the data as the message, so a portal's attachment is never `data`.
 */
export const ATTACHMENT_PURPOSES = ['form', 'attachment', 'report'] as const;
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSES)[number];
export function isAttachmentPurpose(value: unknown): value is AttachmentPurpose {
  return (ATTACHMENT_PURPOSES as readonly unknown[]).includes(value);
}
/** The purpose of an attachment that names none. */
export const DEFAULT_ATTACHMENT_PURPOSE: AttachmentPurpose = 'attachment';

export const ATTACHMENT_ID_RULE =
  'must be 1–64 letters, digits, dots, hyphens or underscores, and not ".", ".." or a name of Object.prototype such as "__proto__" or "constructor"';

/** What travels: JSON with the message's ids in the clear and every part as compact JWE. */
export interface SealedContainer {
  format: typeof SEALED_FORMAT;
  messageId: string;
  destinationId: string;
  /** JWE (`cty: JOSE`) of the compact JWS over the metadata JSON. */
  encryptedMetadata: string;
  /** JWE of the message body (`cty` = its media type). */
  encryptedData: string;
  /** JWE per attachment (`cty` = the attachment's media type), keyed by attachment id. */
  encryptedAttachments: Record<string, string>;
}

const sha512Schema = z.strictObject({
  type: z.literal('sha512'),
  content: z.string().regex(/^[0-9a-f]{128}$/, 'must be 128 lower-case hex digits'),
});
export type Sha512Hash = z.infer<typeof sha512Schema>;

const dataEntrySchema = z.looseObject({
  mediaType: z.enum(DATA_MEDIA_TYPES),
  size: z.number().int().min(0),
  hash: sha512Schema,
});

const attachmentEntrySchema = z.looseObject({
  attachmentId: z.string().refine(isAttachmentId, ATTACHMENT_ID_RULE),
  mediaType: z.string().regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a media type'),
  filename: z.string().min(1).max(255),
  /** Written by the gateway since purposes exist; optional so that messages sealed before still open. */
  purpose: z.enum(ATTACHMENT_PURPOSES).optional(),
  size: z.number().int().min(0),
  hash: sha512Schema,
});

/**
 * The signed metadata. Members not listed here are kept (a later `/1` revision may add optional ones);
 * a breaking change gets a new `format`.
 */
export const sealedMetadataSchema = z.looseObject({
  format: z.literal(SEALED_FORMAT),
  messageId: z.string().min(1).max(200),
  submissionId: z.string().min(1).max(200),
  destinationId: z.string().min(1).max(200),
  createdAt: z.iso.datetime({ offset: true }),
  test: z.boolean(),
  service: z.looseObject({ key: z.string().min(1), name: z.string().optional() }),
  region: z.looseObject({ key: z.string().min(1), name: z.string().optional() }),
  standard: z.looseObject({
    name: z.string().min(1),
    version: z.string().min(1),
    message: z.string().min(1),
    /** Which schema set validated the data (official XRepository set or the project's profile). */
    schemaSet: z.string().min(1),
  }),
  reference: z.string().optional(),
  /**
   * How the applicant was identified, as the portal reported it (since 0.x: absent in messages sealed before,
   * and when the portal reported nothing). Loose, like the metadata: a later `/1` revision may add members.
   */
  authentication: authenticationInfoSchema.loose().optional(),
  /** FIT-Connect's `paymentInformation`, as the portal reported it; absent when there was no payment. */
  paymentInformation: paymentInformationSchema.loose().optional(),
  signingKid: z.string().min(1),
  contentStructure: z.looseObject({
    data: dataEntrySchema,
    attachments: z.array(attachmentEntrySchema).max(1000),
  }),
});

export type SealedMetadata = z.infer<typeof sealedMetadataSchema>;
export type SealedAttachmentEntry = SealedMetadata['contentStructure']['attachments'][number];
