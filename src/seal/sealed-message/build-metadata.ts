import {
  DEFAULT_ATTACHMENT_PURPOSE,
  isAttachmentId,
  SEALED_FORMAT,
  sealedMetadataSchema,
  type SealedMetadata,
} from '../../receiver/format.js';
import { AmtsboteError } from '../../lib/errors.js';
import { issuePointer } from '../../lib/zod-issue-pointer.js';
import { sha512Hash } from '../lib/sha512.js';
import type { SealInput } from './types.js';

/**
 * The metadata JSON of a message: ids, service, region, standard and schema set, how the applicant was
 * identified and FIT-Connect's `paymentInformation` (when the portal reported them), and — modelled on
 * FIT-Connect's `contentStructure` — size and SHA-512 of the data and of every attachment.
 */
export function buildMetadata(input: SealInput, data: Uint8Array, signingKid: string, createdAt: Date): SealedMetadata {
  const ids = new Set<string>();
  for (const a of input.attachments) {
    if (!isAttachmentId(a.id))
      throw new AmtsboteError('internal', `cannot seal an attachment with the id ${JSON.stringify(a.id)}`);
    if (ids.has(a.id)) throw new AmtsboteError('internal', `cannot seal two attachments with the id "${a.id}"`);
    ids.add(a.id);
  }
  const metadata = {
    format: SEALED_FORMAT,
    messageId: input.messageId,
    submissionId: input.submissionId,
    destinationId: input.destinationId,
    createdAt: createdAt.toISOString(),
    test: input.test,
    service: { ...input.service },
    region: { ...input.region },
    standard: { ...input.standard },
    ...(input.reference === undefined ? {} : { reference: input.reference }),
    ...(input.authentication === undefined ? {} : { authentication: { ...input.authentication } }),
    ...(input.paymentInformation === undefined ? {} : { paymentInformation: { ...input.paymentInformation } }),
    signingKid,
    contentStructure: {
      data: {
        mediaType: input.data.mediaType,
        size: data.byteLength,
        hash: sha512Hash(data),
        ...(input.data.schemaUri === undefined
          ? {}
          : { submissionSchema: { schemaUri: input.data.schemaUri, mimeType: input.data.mediaType } }),
      },
      attachments: input.attachments.map((a) => ({
        attachmentId: a.id,
        mediaType: a.mediaType,
        filename: a.filename,
        purpose: a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE,
        size: a.content.byteLength,
        hash: sha512Hash(a.content),
      })),
    },
  };
  // What the gateway emits must be what every receiver accepts.
  const checked = sealedMetadataSchema.safeParse(metadata);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new AmtsboteError(
      'internal',
      `the sealed metadata would be invalid: ${issuePointer(issue?.path ?? []) || '/'} ${issue?.message ?? ''}`,
    );
  }
  return checked.data;
}
