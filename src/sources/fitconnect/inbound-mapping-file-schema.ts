/**
 * The YAML syntax of an inbound mapping file (`mappings/inbound/*.yaml`), as a zod schema: per FIT-Connect data
 * schema (`schemaUri` + MIME type) one file that turns the received data into one of the gateway's services.
 * Kept as small as the outbound mapping files, for the same reader: an admin who edits these without a build.
 * docs/mapping-format.md (Inbound mappings) describes every key.
 */
import { z } from 'zod';
import { serviceKeySchema } from '../../config/identifiers.js';
import { ATTACHMENT_PURPOSES } from '../../receiver/format.js';

const expression = z.string().min(1);
const localName = z.string().regex(/^[A-Za-z_][\w.-]*$/, 'must be an XML local name (no prefix)');

/**
 * Which of the submission's attachments come along to the gateway's submission: `all` (the default), `none` or
 * `{purposes: [...]}`. A `data` attachment carries the data themselves and never comes along.
 */
const purposesSchema = z.strictObject({
  purposes: z
    .array(z.enum(ATTACHMENT_PURPOSES, { error: `must be one of ${ATTACHMENT_PURPOSES.join(', ')}` }))
    .min(1, 'must name at least one purpose (or say none)'),
});
const wordSchema = z.enum(['all', 'none'], { error: 'must be all, none or {purposes: [...]}' });
// Checked by the value's kind rather than as a union, which would report "invalid input" without the pointer.
const attachmentsSchema = z.unknown().transform((value, ctx) => {
  const result = (typeof value === 'object' && value !== null ? purposesSchema : wordSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** How XML data are read: the root element they must have, and which elements are lists even when single. */
const xmlSchema = z.strictObject({
  root: z.strictObject({
    namespace: z.string().min(1),
    /** Local names of the root elements taken, e.g. `alg.gewerbemeldung.0300`. */
    names: z.array(localName).min(1),
  }),
  /** Local names of elements that may repeat: always read as a list, so an expression sees the same shape. */
  lists: z.array(localName).default([]),
});

/** One kind of case the data may hold: the service it becomes and the expression giving the service's `data`. */
const produceSchema = z.strictObject({
  /** LeiKa key of the service (config/services/). */
  service: serviceKeySchema,
  /** When the data hold several kinds (anmeldung, ummeldung …): true for this one. The first match wins. */
  when: expression.optional(),
  /** JSONata over the received data (XML: the root element's content), giving the service's `data` object. */
  data: expression,
});

export const inboundMappingFileSchema = z
  .strictObject({
    /** FIT-Connect's `contentStructure.data.submissionSchema`: the schema the online service names. */
    schemaUri: z.string().min(1),
    mimeType: z.enum(['application/json', 'application/xml']),
    /**
     * Optional local schema the received data are validated against before mapping, relative to this file: a
     * JSON Schema (draft 2020-12) for JSON, an XSD for XML. Without it (or schemaSet) the data are checked for
     * syntax only.
     */
    schema: z.string().min(1).optional(),
    /**
     * For XML: the gateway's schema set of a standard and version instead of a file — its own profile under xsd/,
     * or the official set an operator installed, which takes precedence (as for the messages it produces).
     */
    schemaSet: z.strictObject({ standard: z.string().min(1), version: z.string().min(1) }).optional(),
    /** Required for XML data, absent for JSON. */
    xml: xmlSchema.optional(),
    produces: z.array(produceSchema).min(1),
    attachments: attachmentsSchema.default('all'),
    /** Upper bound of the data's size in bytes; larger data are refused before parsing. */
    maxBytes: z
      .number()
      .int()
      .min(1)
      .max(50 * 1024 * 1024)
      .default(10 * 1024 * 1024),
  })
  .superRefine((file, ctx) => {
    if (file.mimeType === 'application/xml' && file.xml === undefined)
      ctx.addIssue({ code: 'custom', path: ['xml'], message: 'is required for application/xml data' });
    if (file.mimeType === 'application/json' && file.xml !== undefined)
      ctx.addIssue({ code: 'custom', path: ['xml'], message: 'is only for application/xml data' });
    if (file.mimeType === 'application/json' && file.schemaSet !== undefined)
      ctx.addIssue({ code: 'custom', path: ['schemaSet'], message: 'is only for application/xml data' });
    if (file.schema !== undefined && file.schemaSet !== undefined)
      ctx.addIssue({ code: 'custom', path: ['schemaSet'], message: 'give at most one of schema and schemaSet' });
  });

export type InboundMappingFile = z.infer<typeof inboundMappingFileSchema>;
