/**
 * The YAML syntax of a mapping file, as zod schemas. Kept small on purpose: an admin reads and edits these
 * files; docs/mapping-format.md describes every key.
 */
import { z } from 'zod';
import { ATTACHMENT_PURPOSES } from '../../receiver/format.js';

/** Constants may be written as YAML numbers or booleans (`const: 0`); they always become text. */
const constant = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const expression = z.string().min(1);

/**
 * Which of the submission's attachments travel with each message, by message name: `all` (the default for a
 * message not named), `none`, or `{purposes: [...]}` — those whose purpose is listed (an attachment without
 * one counts as `attachment`). A recipient class is entitled to certain data only (the statistics office under
 * the GewAnzV gets fields, not the applicant's documents); the escrow copy keeps every attachment regardless.
 */
const purposesSchema = z.strictObject({
  purposes: z
    .array(z.enum(ATTACHMENT_PURPOSES, { error: `must be one of ${ATTACHMENT_PURPOSES.join(', ')}` }))
    .min(1, 'must name at least one purpose (or say none)'),
});
const wordSchema = z.enum(['all', 'none'], { error: 'must be all, none or {purposes: [...]}' });
// Checked by the value's kind rather than as a union: a union reports only "invalid input" and loses the
// path of the purpose in error, which the admin needs to find the typo.
const selectionSchema = z.unknown().transform((value, ctx) => {
  const result = (typeof value === 'object' && value !== null ? purposesSchema : wordSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
const attachmentsPerMessageSchema = z.record(z.string().regex(/^[A-Za-z_][\w.-]*$/), selectionSchema);

const attributeSchema = z.union([z.strictObject({ value: expression }), z.strictObject({ const: constant })]);

const codeSchema = z
  .strictObject({
    list: z.string().min(1),
    version: constant.optional(),
    value: expression.optional(),
    const: constant.optional(),
    as: z.enum(['code', 'name']).default('code'),
    check: z.boolean().default(true),
  })
  .refine((c) => (c.value === undefined) !== (c.const === undefined), {
    message: 'give exactly one of value or const',
  });

const mediaType = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a media type such as application/pdf');

/** Embeds an attachment of the submission, base64-encoded, as the element's text. */
const attachmentSchema = z.strictObject({
  /** Gives the attachment's id in the envelope, e.g. `landlordConfirmation.attachmentId`. */
  id: expression,
  mediaTypes: z.array(mediaType).min(1).optional(),
});

/** A condition the data must meet for this element; when false, the element's field is refused. */
const assertSchema = z.strictObject({
  test: expression,
  /** Told to the portal with the field's pointer, e.g. "lies outside the region of the submission". */
  detail: z.string().min(1).max(300),
});

export interface RawNode {
  element?: string;
  use?: string;
  value?: string;
  const?: string;
  code?: z.infer<typeof codeSchema>;
  attachment?: z.infer<typeof attachmentSchema>;
  assert?: z.infer<typeof assertSchema>;
  attributes?: Record<string, z.infer<typeof attributeSchema>>;
  children?: RawNode[];
  if?: string;
  each?: string;
  with?: string;
  required?: boolean;
  only?: string[];
  pointer?: string;
}

export const nodeSchema: z.ZodType<RawNode> = z.lazy(() =>
  z
    .strictObject({
      element: z
        .string()
        .regex(/^([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$/, 'must be an element name, e.g. xga:satz')
        .optional(),
      use: z.string().min(1).optional(),
      value: expression.optional(),
      const: constant.optional(),
      code: codeSchema.optional(),
      attachment: attachmentSchema.optional(),
      assert: assertSchema.optional(),
      attributes: z.record(z.string(), attributeSchema).optional(),
      children: z.array(nodeSchema).optional(),
      if: expression.optional(),
      each: expression.optional(),
      with: expression.optional(),
      required: z.boolean().optional(),
      only: z.array(z.string().min(1)).min(1).optional(),
      pointer: z
        .string()
        .regex(/^(\/.*)?$/, 'must be a JSON pointer such as /data/business/name')
        .optional(),
    })
    .superRefine((node, ctx) => {
      if ((node.element === undefined) === (node.use === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give exactly one of element or use' });
      }
      const contents = ['value', 'const', 'code', 'attachment', 'children'].filter(
        (k) => node[k as keyof typeof node] !== undefined,
      );
      if (contents.length > 1) ctx.addIssue({ code: 'custom', message: `give at most one of ${contents.join(', ')}` });
      if (
        node.use !== undefined &&
        (contents.length > 0 ||
          node.attributes !== undefined ||
          node.required !== undefined ||
          node.assert !== undefined)
      ) {
        ctx.addIssue({ code: 'custom', message: 'use takes only if, each, with, only and pointer' });
      }
      if (node.each !== undefined && node.with !== undefined)
        ctx.addIssue({ code: 'custom', message: 'give at most one of each or with' });
    }),
);

export const mappingFileSchema = z.strictObject({
  /** `xml` (the default) writes an XÖV message; see jsonMappingFileSchema for `json`. */
  format: z.literal('xml').optional(),
  standard: z.string().min(1),
  version: constant,
  /** LeiKa keys of the services this mapping serves. */
  services: z.array(z.string().regex(/^\d{14}$/, 'must be a 14-digit LeiKa key')).min(1),
  /** Root element names (recipient classes) the mapping produces, e.g. alg.gewerbemeldung.0300. */
  messages: z.array(z.string().regex(/^[A-Za-z_][\w.-]*$/)).min(1),
  attachments: attachmentsPerMessageSchema.optional(),
  namespaces: z.record(z.string().regex(/^[A-Za-z_][\w.-]*$/), z.string().min(1)),
  root: z.strictObject({
    prefix: z.string().min(1),
    attributes: z.record(z.string(), attributeSchema).optional(),
    children: z.array(nodeSchema).min(1),
  }),
});

/**
 * A mapping to JSON data (FIT-Connect style: the data plus the URI of the schema they follow), for services
 * without an XÖV standard. `body` is one JSONata expression giving the delivered object — `$data` for the
 * submission as it is, or an object constructor that reshapes it; `schema` is the JSON Schema the result must
 * meet (relative to the mapping file; its `$id` becomes the message's schema URI).
 */
export const jsonMappingFileSchema = z.strictObject({
  format: z.literal('json'),
  standard: z.string().min(1),
  version: constant,
  services: z.array(z.string().regex(/^\d{14}$/, 'must be a 14-digit LeiKa key')).min(1),
  /** Names of the data sets (messages) the mapping produces; a destination names one. */
  messages: z.array(z.string().regex(/^[A-Za-z_][\w.-]*$/)).min(1),
  attachments: attachmentsPerMessageSchema.optional(),
  schema: z.string().min(1),
  body: expression,
});

/** Only the format key, read first to choose the schema the file is validated with. */
export const mappingFormatSchema = z.looseObject({ format: z.enum(['xml', 'json']).default('xml') });

/** A `_*.yaml` file beside the mappings: named lists of nodes that mappings include with `use`. */
export const fragmentFileSchema = z.strictObject({
  fragments: z.record(z.string().min(1), z.array(nodeSchema).min(1)),
});

export type MappingFile = z.infer<typeof mappingFileSchema>;
export type JsonMappingFile = z.infer<typeof jsonMappingFileSchema>;
