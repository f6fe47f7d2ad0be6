import { z } from 'zod';

/**
 * A destination as `GET /destinations/{id}` describes it, read leniently: only what a sender decides on is
 * named, everything else is kept unread. v2 delivery services name the offered services `publicServices`, v1
 * ones `services`; both carry `identifier` (a LeiKa URN) and `submissionSchemas` ({schemaUri, mimeType}).
 */
const submissionSchemaSchema = z.looseObject({
  schemaUri: z.string().min(1),
  mimeType: z.string().min(1).optional(),
});

const offeredServiceSchema = z.looseObject({
  identifier: z.string().min(1),
  name: z.string().optional(),
  /** Absent: the destination does not say which schemas it takes (not the same as an empty list: none). */
  submissionSchemas: z.array(submissionSchemaSchema).optional(),
  regions: z.array(z.string()).optional(),
});

const destinationAnswerSchema = z.looseObject({
  destinationId: z.string().optional(),
  status: z.string().min(1),
  encryptionKid: z.string().min(1).optional(),
  metadataVersions: z.array(z.string()).optional(),
  publicServices: z.array(offeredServiceSchema).optional(),
  services: z.array(offeredServiceSchema).optional(),
});

export type OfferedService = z.output<typeof offeredServiceSchema>;
export type SubmissionSchemaOffer = z.output<typeof submissionSchemaSchema>;

export interface DestinationInfo {
  /** `created`, `active`, `inactive`, `decommissioned`: only `active` takes submissions. */
  status: string;
  /** The key new submissions are encrypted to; the destination switches it when it rotates. */
  encryptionKid: string | undefined;
  /** The metadata schema versions the destination reads; undefined when it does not say. */
  metadataVersions: readonly string[] | undefined;
  /** The services the destination takes, each with the data schemas it offers; undefined when it does not say. */
  publicServices: readonly OfferedService[] | undefined;
}

/** The destination's answer as a DestinationInfo, or undefined when it is not one (not JSON, no status). */
export function parseDestinationInfo(text: string): DestinationInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = destinationAnswerSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const answer = parsed.data;
  return {
    status: answer.status,
    encryptionKid: answer.encryptionKid,
    metadataVersions: answer.metadataVersions,
    publicServices: answer.publicServices ?? answer.services,
  };
}
