import { z } from 'zod';
import { ATTACHMENT_PURPOSES } from '../receiver/format.js';
import { serviceKeySchema } from './identifiers.js';

/** Media type as `type/subtype`, lower case. */
const mediaTypeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a media type such as application/pdf');

/**
 * A rule JSON Schema cannot say, as data: a JSONata expression over the submission's data that must not
 * be false (absent fields leave it undefined: the schema decides whether they are required). `$now()`,
 * `$millis()` and `$today()` read the gateway's injected clock; README.md (Services) lists the helpers.
 */
export const serviceAssertionSchema = z.strictObject({
  test: z.string().min(1).max(2000),
  /** The field the portal is told about, e.g. `/data/newResidence/moveInDate`. */
  pointer: z
    .string()
    .regex(/^\/data(\/.*)?$/, "must be a JSON pointer into the submission's data, e.g. /data/period/end"),
  message: z.string().min(1).max(300),
});

/** One file per service under config/services/; the data schema is a JSON Schema file beside it. */
export const serviceFileSchema = z.strictObject({
  key: serviceKeySchema,
  name: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  /** Where the LeiKa key was confirmed (a public source). */
  leikaSource: z.string().min(1),
  /** JSON Schema (draft 2020-12) of the submission's `data`, relative to the service file. */
  dataSchema: z.string().min(1),
  attachments: z
    .strictObject({
      maxCount: z.number().int().min(0).max(100),
      maxBytes: z.number().int().min(1),
      mediaTypes: z.array(mediaTypeSchema),
      /** The purposes an attachment of this service may have (FIT-Connect's words); all when not given. */
      purposes: z.array(z.enum(ATTACHMENT_PURPOSES)).min(1).optional(),
    })
    .default({ maxCount: 0, maxBytes: 1, mediaTypes: [] }),
  standard: z
    .strictObject({
      name: z.string().min(1),
      versions: z.array(z.string().min(1)).min(1),
      /** Which authority of the region writes the message (its `autor`), e.g. `gewerbeamt`. */
      author: z.string().min(1).optional(),
    })
    .optional(),
  /** Rules over the data beyond its JSON Schema; a false one refuses the submission with 422. */
  assertions: z.array(serviceAssertionSchema).max(100).default([]),
});

export type ServiceAssertion = z.infer<typeof serviceAssertionSchema>;
export type ServiceFile = z.infer<typeof serviceFileSchema>;
