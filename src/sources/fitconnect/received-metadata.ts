import { z } from 'zod';

/**
 * The metadata a FIT-Connect sender wrote, read by the rules of its schema version: FIT-Connect's metadata schemas
 * 1.x (facts of the published 1.0.0) and 2.x (facts of the published 2.1.0, whose own `$schema` pattern takes every
 * `2.x.y`), as PROTOCOL.md §5 records them. `contentStructure` — what the checks and the pick-up use — is checked
 * member by member with the published constraints; the other top-level members only for their JSON type (they
 * travel on unchanged). Members the schemas do not name are allowed, as the published schemas allow them (no
 * `additionalProperties: false`). The gateway's own, stricter schema for what it emits is
 * `seal/fitconnect/metadata-schema.ts`; this one is for what others send.
 */

/** `https://schema.fitko.de/fit-connect/metadata/<x.y.z>/metadata.schema.json` */
const metadataSchemaUri =
  /^https:\/\/schema\.fitko\.de\/fit-connect\/metadata\/(\d+\.\d+\.\d+)\/metadata\.schema\.json$/;

/** The schema majors whose rules the gateway has. */
export const KNOWN_METADATA_MAJORS = ['1', '2'] as const;

const hashSchema = z.looseObject({
  type: z.literal('sha512'),
  content: z.string().regex(/^[a-f0-9]{128}$/, 'must be 128 lower-case hex digits'),
});

/** JSON Schema's `format: uuid` (RFC 4122 text, any case), with the schemas' length bounds 32–36. */
const uuidText = z
  .string()
  .min(32)
  .max(36)
  .regex(/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i, 'must be a UUID');

const signatureSchema = z.looseObject({
  signatureFormat: z.enum(['cms', 'xml', 'pdf', 'asic', 'json']),
  eidasAdesProfile: z
    .enum([
      'http://uri.etsi.org/ades/191x2/level/baseline/B-B#',
      'http://uri.etsi.org/ades/191x2/level/baseline/B-T#',
      'http://uri.etsi.org/ades/191x2/level/baseline/B-LT#',
      'http://uri.etsi.org/ades/191x2/level/baseline/B-LTA#',
    ])
    .optional(),
  detachedSignature: z.boolean(),
  content: z.string().optional(),
});

const dataSchema = z.looseObject({
  hash: hashSchema,
  signature: signatureSchema.optional(),
  submissionSchema: z.looseObject({
    schemaUri: z.url(),
    mimeType: z.enum(['application/json', 'application/xml']),
  }),
});

const attachmentSchema = (purposes: readonly [string, ...string[]]) =>
  z.looseObject({
    hash: hashSchema,
    signature: signatureSchema.optional(),
    purpose: z.enum(purposes),
    filename: z.string().optional(),
    mimeType: z.string().regex(/^[-\w.]+\/[-\w.+]+$/, 'must be a media type'),
    attachmentId: uuidText,
    fragments: z.array(uuidText).optional(),
  });

/** Members that are passed on, checked for their JSON type only. */
const passedOn = {
  paymentInformation: z.record(z.string(), z.unknown()).optional(),
  replyChannel: z.record(z.string(), z.unknown()).optional(),
  additionalReferenceInfo: z.record(z.string(), z.unknown()).optional(),
};

const metadataV1 = z.looseObject({
  $schema: z.string().optional(),
  contentStructure: z.looseObject({
    data: dataSchema.optional(),
    attachments: z.array(attachmentSchema(['form', 'attachment', 'report'])),
  }),
  publicServiceType: z.record(z.string(), z.unknown()).optional(),
  authenticationInformation: z.array(z.record(z.string(), z.unknown())).optional(),
  ...passedOn,
});

const metadataV2 = z.looseObject({
  $schema: z.string(),
  contentStructure: z.looseObject({
    data: dataSchema,
    attachments: z.array(attachmentSchema(['form', 'attachment', 'report', 'data'])),
  }),
  author: z.record(z.string(), z.unknown()).optional(),
  dataSets: z.array(z.record(z.string(), z.unknown())).optional(),
  ...passedOn,
});

export type ReceivedMetadata = z.infer<typeof metadataV1> | z.infer<typeof metadataV2>;
export type ReceivedAttachmentEntry = ReceivedMetadata['contentStructure']['attachments'][number];

export type MetadataReading =
  | { ok: true; version: string; metadata: ReceivedMetadata }
  | { ok: false; reason: 'metadata-version-unsupported' | 'metadata-schema-violation'; detail: string };

/**
 * The version a metadata document names in `$schema`. A document without `$schema` is read as 1.0.0: that schema
 * has no `$schema` member (2.x requires it); anything else that is not a metadata schema URI has no version.
 */
export function metadataVersionOf(document: Record<string, unknown>): string | undefined {
  const uri = document.$schema;
  if (uri === undefined) return '1.0.0';
  if (typeof uri !== 'string') return undefined;
  return metadataSchemaUri.exec(uri)?.[1];
}

/**
 * Reads the metadata by the rules of its version. `acceptedVersions`: exact versions a destination takes (FIT-Connect's
 * `metadataVersions`); undefined takes every version of a major the gateway has rules for.
 */
export function readReceivedMetadata(document: unknown, acceptedVersions?: readonly string[]): MetadataReading {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return { ok: false, reason: 'metadata-schema-violation', detail: 'The metadata is not a JSON object.' };
  const version = metadataVersionOf(document as Record<string, unknown>);
  if (version === undefined)
    return {
      ok: false,
      reason: 'metadata-version-unsupported',
      detail: '$schema names no FIT-Connect metadata schema (https://schema.fitko.de/fit-connect/metadata/<x.y.z>/…).',
    };
  const major = version.split('.')[0] ?? '';
  const known = (KNOWN_METADATA_MAJORS as readonly string[]).includes(major);
  if (!known || (acceptedVersions !== undefined && !acceptedVersions.includes(version)))
    return {
      ok: false,
      reason: 'metadata-version-unsupported',
      detail:
        `Metadata schema version ${version} is not supported here; supported: ` +
        (acceptedVersions === undefined ? KNOWN_METADATA_MAJORS.map((m) => `${m}.x.y`) : acceptedVersions).join(', ') +
        '.',
    };
  const parsed = (major === '1' ? metadataV1 : metadataV2).safeParse(document);
  if (!parsed.success)
    return {
      ok: false,
      reason: 'metadata-schema-violation',
      detail:
        `The metadata violates the metadata schema ${version}: ` +
        parsed.error.issues
          .slice(0, 10)
          .map((issue) => `/${issue.path.join('/')} ${issue.message}`)
          .join('; '),
    };
  return { ok: true, version, metadata: parsed.data };
}
