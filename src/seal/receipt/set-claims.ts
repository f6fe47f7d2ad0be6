import { z } from 'zod';

/** FIT-Connect's event URIs, used for every adapter kind. */
export const acceptEvent = 'https://schema.fitko.de/fit-connect/events/accept-submission';
export const rejectEvent = 'https://schema.fitko.de/fit-connect/events/reject-submission';
/**
 * The SET payload schema a receipt names: every `1.x.y`, as FIT-Connect's own set-payload 1.2.2 schema allows
 * (its `$schema` pattern). A minor or patch release of the payload schema adds optional members, which are
 * ignored here; a major version `2.x.y` would be a new contract and is refused.
 */
export const setPayloadSchemaPattern =
  /^https:\/\/schema\.fitko\.de\/fit-connect\/set-payload\/1\.\d+\.\d+\/set-payload\.schema\.json$/;
/** The version the delivery service itself writes (PROTOCOL.md §3.1); the receiver kit's receipts name it too. */
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

/**
 * The claims of a receipt (RFC 8417 SET) as design.md maps them onto Amtsbote. Claims not named here (`toe`,
 * `aud`, …: RFC 8417 and the set-payload schema allow them) are ignored, never refused. `$schema` is checked
 * when present; whether it may be missing is the caller's decision (see `verifySet`'s `schemaOptional`).
 */
export const setClaimsSchema = z.looseObject({
  $schema: z.string().regex(setPayloadSchemaPattern, 'must be a FIT-Connect set-payload schema URI (1.x.y)').optional(),
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
