import { fullFormats } from 'ajv-formats/dist/formats.js';
import { z } from 'zod';

/**
 * FIT-Connect's `paymentInformation` (metadata schema 2.1.0), field for field: names, enums, lengths and
 * patterns as the published schema has them, so a value the portal sends is one the FIT-Connect metadata
 * takes unchanged. The portal's envelope, the `amtsbote-sealed/1` metadata and the FIT-Connect metadata all
 * use this one schema.
 */
export const PAYMENT_METHODS = ['GIROPAY', 'PAYDIRECT', 'CREDITCARD', 'PAYPAL', 'INVOICE', 'OTHER'] as const;
export const PAYMENT_STATUSES = ['INITIAL', 'BOOKED', 'FAILED', 'CANCELED'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatusValue = (typeof PAYMENT_STATUSES)[number];

/** The schema's `^[\w\d-]+$`, ASCII as ECMAScript reads `\w` (JSON Schema patterns are ECMA-262). */
const TOKEN = /^[\w\d-]+$/;
const TOKEN_RULE = 'must be letters, digits, underscores or hyphens';

/**
 * The schema's `format: uri` as ajv-formats checks it (an absolute URI per RFC 3986): stricter than the WHATWG
 * URL parser, which would accept and repair a space, and the metadata must pass the published schema.
 */
const isUri = fullFormats.uri as (value: string) => boolean;

/** Whether an amount is whole cents, compared in cents (tolerating the binary representation of decimals). */
function isWholeCents(amount: number): boolean {
  const cents = amount * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-6;
}

export const paymentInformationSchema = z
  .strictObject({
    transactionUrl: z
      .string()
      .min(1)
      .refine((v) => isUri(v), 'must be an absolute URI')
      .optional()
      .meta({ description: 'The REST URL of the payment transaction, for a status query' }),
    transactionId: z
      .string()
      .min(1)
      .max(36)
      .regex(TOKEN, TOKEN_RULE)
      .meta({ description: 'The transaction id the payment service assigned' }),
    transactionReference: z.string().meta({ description: 'Payment reference or purpose, such as a Kassenzeichen' }),
    transactionTimestamp: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'When the payment succeeded (date-time with offset)' }),
    paymentMethod: z.enum(PAYMENT_METHODS).meta({ description: 'The payment method the applicant chose' }),
    paymentMethodDetail: z
      .string()
      .min(1)
      .max(36)
      .regex(TOKEN, TOKEN_RULE)
      .optional()
      .meta({ description: 'More about the method, e.g. Visa' }),
    status: z.enum(PAYMENT_STATUSES).meta({
      description:
        'INITIAL: a payment transaction exists, the applicant did nothing yet; BOOKED: the applicant authorised the payment; FAILED: the payment service aborted it; CANCELED: the applicant cancelled it',
    }),
    // FIT-Connect's `multipleOf: 0.01`, checked in cents instead: validators that divide binary floats refuse
    // 15.7 % of valid amounts (9370.63 / 0.01 = 937062.9999999999; docs/sealed-message.md, "Payment amounts"),
    // and the OpenAPI document generated from this schema must not make portals' validators do that.
    grossAmount: z
      .number()
      .min(0.01)
      .refine(isWholeCents, 'must be whole cents (a multiple of 0.01)')
      .optional()
      .meta({ description: 'Gross amount in euros, whole cents (FIT-Connect: multipleOf 0.01)' }),
  })
  .meta({ id: 'PaymentInformation' });

export type PaymentInformation = z.infer<typeof paymentInformationSchema>;
