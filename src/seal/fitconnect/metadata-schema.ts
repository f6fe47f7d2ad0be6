import { z } from 'zod';
import { ATTACHMENT_PURPOSES } from '../../receiver/format.js';

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
      z.strictObject({
        attachmentId: uuidV4,
        hash: hashSchema,
        /** FIT-Connect's `form`, `attachment` or `report`; never `data`: the data travel as the data. */
        purpose: z.enum(ATTACHMENT_PURPOSES),
        mimeType: z.string().regex(/^[-\w.]+\/[-\w.+]+$/, 'must be a media type'),
        filename: z.string().min(1).max(255),
      }),
    ),
  }),
  additionalReferenceInfo: z.strictObject({
    senderReference: z.string().min(1).max(200).optional(),
    applicationDate: z.iso.date(),
  }),
  author: z.strictObject({
    name: z.string().min(1),
    product: z.strictObject({ name: z.string().min(1), version: z.string().min(1), manufacturer: z.string().min(1) }),
  }),
});

export type FitConnectMetadata = z.infer<typeof fitConnectMetadataSchema>;
