import type { FieldError } from '../lib/errors.js';
import {
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  paymentInformationSchema,
  type PaymentInformation,
} from '../receiver/payment-information.js';

/**
 * The envelope's `payment` before it became FIT-Connect's `paymentInformation`: `method` (free text) instead
 * of `paymentMethod` (an enum), `amount` instead of `grossAmount`, lower-case statuses, and `paid`, which
 * FIT-Connect does not have. A portal still sending that shape is told, field by field, what replaced each
 * part — a plain "unknown field" would leave it guessing.
 */
const legacyStatuses: Readonly<Record<string, string>> = {
  initial: 'INITIAL',
  booked: 'BOOKED',
  // FIT-Connect's BOOKED: "the applicant authorised the payment in the payment service".
  paid: 'BOOKED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};

/** The field errors for the old shape's parts in `payment`, one per changed field; none for the new shape. */
export function legacyPaymentErrors(payment: unknown): FieldError[] {
  if (typeof payment !== 'object' || payment === null || Array.isArray(payment)) return [];
  const given = payment as Record<string, unknown>;
  const errors: FieldError[] = [];
  if ('method' in given) {
    errors.push({
      pointer: '/payment/method',
      detail: `was renamed: send paymentMethod, one of ${PAYMENT_METHODS.join(', ')} (FIT-Connect's paymentInformation)`,
      code: 'renamed-field',
      params: { to: 'paymentMethod' },
    });
  }
  if ('amount' in given) {
    errors.push({
      pointer: '/payment/amount',
      detail: 'was renamed: send grossAmount, the gross amount in euros (at least 0.01, whole cents)',
      code: 'renamed-field',
      params: { to: 'grossAmount' },
    });
  }
  const status = given.status;
  if (typeof status === 'string' && status in legacyStatuses) {
    const replacement = legacyStatuses[status] ?? '';
    errors.push({
      pointer: '/payment/status',
      detail:
        status === 'paid'
          ? `"paid" is no longer a status: send "${replacement}" (the applicant authorised the payment); statuses are ${PAYMENT_STATUSES.join(', ')}`
          : `statuses are upper case now: send "${replacement}"`,
      code: 'renamed-value',
      params: { to: replacement },
    });
  }
  return errors;
}

/**
 * Whether a field error of the schema check is one the old shape's errors already explain: the unknown
 * `method`/`amount`, the missing `paymentMethod` that `method` stands for, the status not in the new enum.
 */
export function explainedByLegacy(error: FieldError, legacy: readonly FieldError[]): boolean {
  const named = new Set(legacy.map((e) => e.pointer));
  if (named.has(error.pointer)) return true;
  return error.pointer === '/payment/paymentMethod' && named.has('/payment/method');
}

/**
 * The payment of an escrow copy sealed before the change, in FIT-Connect's shape, so that a message sealed
 * again from it (replay with reroute, deferred fan-out) carries it like one sealed at intake today: the old
 * free-text method matched case-insensitively against FIT-Connect's methods (else `OTHER`), the status
 * upper-cased (`paid` → `BOOKED`), `amount` as `grossAmount` when it is a whole-cent amount of at least 0.01.
 * Undefined when the copy's payment cannot become a valid `paymentInformation` — FIT-Connect requires a
 * transaction id (at most 36 letters, digits, `_` or `-`) and a reference, which the old shape left
 * optional: such a message is sealed again without a payment rather than with a made-up one.
 */
export function paymentFromEscrow(stored: unknown): PaymentInformation | undefined {
  const current = paymentInformationSchema.safeParse(stored);
  if (current.success) return current.data;
  if (typeof stored !== 'object' || stored === null) return undefined;
  const old = stored as Record<string, unknown>;
  const method = typeof old.method === 'string' ? old.method.toUpperCase().replace(/[^A-Z]/g, '') : '';
  const converted = paymentInformationSchema.safeParse({
    transactionId: old.transactionId,
    transactionReference: old.transactionReference,
    paymentMethod: (PAYMENT_METHODS as readonly string[]).includes(method) ? method : 'OTHER',
    status: typeof old.status === 'string' ? legacyStatuses[old.status] : undefined,
    ...(typeof old.amount === 'number' && old.amount >= 0.01 ? { grossAmount: old.amount } : {}),
  });
  return converted.success ? converted.data : undefined;
}
