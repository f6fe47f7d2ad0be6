import { z } from 'zod';

/** FIT-Connect's event URIs, used for every adapter kind. */
export const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
export const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';
/** The SET payload schema a receipt names (1.2.2; 1.0.x accepted, design.md). */
export const setPayloadSchemaPattern =
  /^https:\/\/schema\.fitko\.de\/fit-connect\/set-payload\/1\.(0\.[0-9]+|2\.2)\/set-payload\.schema\.json$/;
export const currentSetPayloadSchema = 'https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json';

export const authenticationTagsSchema = z.strictObject({
  metadata: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  // Empty for a FIT-Connect submission whose data went as a `purpose: data` attachment: its `encryptedData` is
  // the empty placeholder, which has no tag. The accept is still compared with the tags stored at sealing.
  data: z.string().regex(/^(?:[A-Za-z0-9_-]{16,64})?$/),
  attachments: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_-]{16,64}$/)).default({}),
});

export type AuthenticationTags = z.infer<typeof authenticationTagsSchema>;

const problemSchema = z.looseObject({
  type: z.string().max(500),
  title: z.string().max(500),
  detail: z.string().max(2000).optional(),
  instance: z.string().max(500).optional(),
});

/** The claims of a receipt (RFC 8417 SET) as design.md maps them onto Amtsbote. */
export const setClaimsSchema = z.strictObject({
  $schema: z.string().regex(setPayloadSchemaPattern, 'must be a FIT-Connect set-payload schema URI (1.0.x or 1.2.2)'),
  jti: z.uuid(),
  iss: z.string().min(1).max(100),
  iat: z.int().min(1_577_833_200),
  sub: z.string().regex(/^submission:[A-Za-z0-9-]{1,100}$/, 'must be "submission:<messageId>"'),
  txn: z.string().regex(/^case:[A-Za-z0-9-]{1,100}$/, 'must be "case:<submissionId>"'),
  events: z
    .record(z.string(), z.unknown())
    .refine((events) => Object.keys(events).length === 1, { message: 'must hold exactly one event' }),
});

export const acceptPayloadSchema = z.looseObject({ authenticationTags: authenticationTagsSchema });
export const rejectPayloadSchema = z.looseObject({ problems: z.array(problemSchema).min(1).max(50) });

export type ReceiptProblem = z.infer<typeof problemSchema>;
