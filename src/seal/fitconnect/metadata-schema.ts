import { z } from 'zod';
import { ATTACHMENT_PURPOSES } from '../../receiver/format.js';
import { paymentInformationSchema } from '../../receiver/payment-information.js';

/**
 * The FIT-Connect metadata the gateway emits, as its own schema: the subset of FIT-Connect's metadata 2.x
 * (`https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json`) that Amtsbote fills in.
 * Every document this schema accepts must also be valid metadata 2.1.0 (a test checks that against the
 * published schema); the gateway checks what it builds against this one before it encrypts it.
 */
export const FITCONNECT_METADATA_SCHEMA = 'https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json';

const hashSchema = z.strictObject({
  type: z.literal('sha512'),
  content: z.string().regex(/^[a-f0-9]{128}$/, 'must be 128 lower-case hex digits'),
});

/** FIT-Connect wants UUIDv4 for attachment ids. */
const uuidV4 = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'must be a lower-case UUIDv4');

const mediaType = z.string().regex(/^[-\w.]+\/[-\w.+]+$/, 'must be a media type');

export const fitConnectMetadataSchema = z.strictObject({
  $schema: z.literal(FITCONNECT_METADATA_SCHEMA),
  contentStructure: z.strictObject({
    data: z.strictObject({
      hash: hashSchema,
      submissionSchema: z.strictObject({
        schemaUri: z.url(),
        mimeType: z.enum(['application/xml', 'application/json']),
      }),
    }),
    attachments: z.array(
      z.union([
        z.strictObject({
          attachmentId: uuidV4,
          hash: hashSchema,
          /** FIT-Connect's `form`, `attachment` or `report`: one of the portal's attachments. */
          purpose: z.enum(ATTACHMENT_PURPOSES),
          mimeType: mediaType,
          filename: z.string().min(1).max(255),
        }),
        /**
         * The data themselves, sent as an attachment because they are too large for the submission (FIT-Connect's
         * `purpose: data`); they have no file name of their own.
         */
        z.strictObject({
          attachmentId: uuidV4,
          hash: hashSchema,
          purpose: z.literal('data'),
          mimeType: z.enum(['application/xml', 'application/json']),
        }),
      ]),
    ),
  }),
  /** FIT-Connect's `paymentInformation`, exactly as the portal sent it. */
  paymentInformation: paymentInformationSchema.optional(),
  additionalReferenceInfo: z.strictObject({
    senderReference: z.string().min(1).max(200).optional(),
    applicationDate: z.iso.date(),
  }),
  author: z.strictObject({
    name: z.string().min(1),
    product: z.strictObject({ name: z.string().min(1), version: z.string().min(1), manufacturer: z.string().min(1) }),
  }),
  /** How the applicant was identified, as a data set (authentication-data-set.ts says why there). */
  dataSets: z
    .array(
      z.strictObject({
        dataSetId: z.uuid(),
        schema: z.strictObject({ schemaUri: z.url(), mimeType: z.literal('application/json') }),
        hash: hashSchema,
        description: z.string().min(1),
        content: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1)
    .optional(),
});

export type FitConnectMetadata = z.infer<typeof fitConnectMetadataSchema>;
