import { z } from 'zod';
import { regionKeySchema, serviceKeySchema } from '../config/identifiers.js';
import { authenticationInfoSchema } from '../receiver/authentication-info.js';
import { ATTACHMENT_ID, ATTACHMENT_ID_RULE, ATTACHMENT_PURPOSES, isAttachmentId } from '../receiver/format.js';
import { paymentInformationSchema } from '../receiver/payment-information.js';

/**
 * The portal's submission envelope. One zod schema validates requests and generates the OpenAPI
 * document (http/openapi.ts), so the two cannot drift.
 */
export const attachmentSchema = z
  .strictObject({
    // One rule for ids everywhere (receiver/format.ts); the pattern also goes into the OpenAPI document.
    id: z.string().regex(ATTACHMENT_ID, ATTACHMENT_ID_RULE).refine(isAttachmentId, ATTACHMENT_ID_RULE),
    filename: z.string().min(1).max(255),
    mediaType: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a media type such as application/pdf'),
    purpose: z.enum(ATTACHMENT_PURPOSES).optional().meta({
      description:
        "What the attachment is, in FIT-Connect's words: form (the portal's PDF of the whole application), attachment (uploaded by the applicant; the default), report (produced by the portal afterwards). A mapping may pass a destination only some purposes.",
    }),
    /** Base64 content in a JSON request; omitted in multipart, where the part named by `id` carries it. */
    content: z.string().optional(),
  })
  .meta({ id: 'Attachment' });

/** How the applicant was identified; the metadata of every format carries it (receiver/authentication-info.ts). */
export const authenticationSchema = authenticationInfoSchema;

/**
 * FIT-Connect's `paymentInformation`, field for field (receiver/payment-information.ts): it goes unchanged into
 * the metadata of every format. The earlier shape (`method`, `amount`, lower-case statuses, `paid`) is refused
 * with a pointer to each changed field (legacy-payment.ts).
 */
export const paymentSchema = paymentInformationSchema;

export const envelopeSchema = z
  .strictObject({
    serviceKey: serviceKeySchema.meta({ description: 'LeiKa key of the service', example: '99050012104000' }),
    regionKey: regionKeySchema.meta({
      description: 'Regional key (ARS) of the responsible municipality',
      example: '146120000000',
    }),
    data: z
      .record(z.string(), z.unknown())
      .meta({ description: "The service's form data; its JSON Schema is at /v1/services/{serviceKey}/schema" }),
    attachments: z.array(attachmentSchema).max(1000).optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    reference: z
      .string()
      .regex(/^[\x21-\x7e]{1,100}$/, 'must be 1–100 printable ASCII characters')
      .optional()
      .meta({ description: "The portal's own case reference" }),
    test: z.boolean().optional().meta({ description: 'Marks a test case end to end' }),
    authentication: authenticationSchema.optional(),
    payment: paymentSchema.optional(),
    replyChannel: z
      .strictObject({
        encryptionKey: z.record(z.string(), z.unknown()).meta({
          description:
            "The public key (JWK: RSA ≥ 4096 bits, RSA-OAEP-256, wrapKey) replies to this submission are encrypted to; it wins over the portal's registered reply keys",
        }),
      })
      .optional()
      .meta({ description: "Where replies of the authority go (issue 24), as FIT-Connect's replyChannel" }),
  })
  .meta({ id: 'SubmissionEnvelope' });

export type Envelope = z.infer<typeof envelopeSchema>;
export type EnvelopeAttachment = z.infer<typeof attachmentSchema>;
