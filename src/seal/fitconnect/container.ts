import { z } from 'zod';

/**
 * What the gateway stores for a FIT-Connect destination and hands to the fitconnect adapter: the parts
 * already encrypted in the request (FIT-Connect's format: metadata, data and each attachment as a JWE to
 * the destination's key) plus what the Submission API needs in the clear to create the submission.
 * Internal to the gateway: it never leaves it as such.
 */
export const FITCONNECT_CONTAINER_FORMAT = 'amtsbote-fitconnect/1';

const compactJwe = z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/, 'must be a compact JWE');

export const fitConnectContainerSchema = z.strictObject({
  format: z.literal(FITCONNECT_CONTAINER_FORMAT),
  messageId: z.string().min(1),
  /** The FIT-Connect destination id (UUID). */
  destinationId: z.uuid(),
  publicService: z.strictObject({
    name: z.string().min(1),
    identifier: z.string().regex(/^urn:de:fim:leika:leistung:[0-9]+$/),
  }),
  encryptedMetadata: compactJwe,
  /**
   * The data's JWE, or the empty string when the data travel as the `purpose: data` attachment (FIT-Connect's
   * placeholder for data too large for the submission).
   */
  encryptedData: z.union([compactJwe, z.literal('')]),
  /** In the order of the metadata's `contentStructure.attachments`; ids are the announced UUIDs. */
  attachments: z.array(z.strictObject({ attachmentId: z.uuid(), encrypted: compactJwe })),
});

export type FitConnectContainer = z.infer<typeof fitConnectContainerSchema>;
