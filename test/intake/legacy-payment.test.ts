import { describe, expect, it } from 'vitest';
import { legacyPaymentErrors, paymentFromEscrow } from '../../src/intake/legacy-payment.js';

/**
 * The envelope's earlier `payment` shape: refused at intake field by field (payment-shape.test.ts goes through
 * HTTP), and converted when an escrow copy sealed before the change is sealed again.
 */
const old = {
  method: 'giropay',
  status: 'paid',
  transactionId: 'TX-2026-0211-7731',
  transactionReference: 'Kassenzeichen 5.0123.000123.4',
  amount: 26,
};

describe('the earlier payment shape', () => {
  it('names each changed field once, and nothing for the current shape or no payment', () => {
    expect(legacyPaymentErrors(old).map((e) => [e.pointer, e.params?.to])).toEqual([
      ['/payment/method', 'paymentMethod'],
      ['/payment/amount', 'grossAmount'],
      ['/payment/status', 'BOOKED'],
    ]);
    const current = { paymentMethod: 'GIROPAY', status: 'BOOKED', transactionId: 'T', transactionReference: 'R' };
    expect(legacyPaymentErrors(current)).toEqual([]);
    for (const nothing of [undefined, null, 'giropay', [old]]) expect(legacyPaymentErrors(nothing)).toEqual([]);
  });

  it("converts an old escrow copy's payment into FIT-Connect's paymentInformation", () => {
    expect(paymentFromEscrow(old)).toEqual({
      transactionId: 'TX-2026-0211-7731',
      transactionReference: 'Kassenzeichen 5.0123.000123.4',
      paymentMethod: 'GIROPAY',
      status: 'BOOKED',
      grossAmount: 26,
    });
    expect(paymentFromEscrow({ ...old, method: 'Credit Card', status: 'canceled', amount: 0 })).toEqual({
      transactionId: 'TX-2026-0211-7731',
      transactionReference: 'Kassenzeichen 5.0123.000123.4',
      paymentMethod: 'CREDITCARD',
      status: 'CANCELED',
    });
    expect(paymentFromEscrow({ ...old, method: 'Kasse vor Ort' })).toMatchObject({ paymentMethod: 'OTHER' });
  });

  it('keeps a current payment as it is', () => {
    const current = {
      paymentMethod: 'PAYPAL',
      status: 'INITIAL',
      transactionId: 'T-1',
      transactionReference: '',
      grossAmount: 19.99,
    };
    expect(paymentFromEscrow(current)).toEqual(current);
  });

  it('leaves out what cannot become a valid paymentInformation rather than inventing members', () => {
    const { transactionId: _id, ...withoutId } = old;
    expect(paymentFromEscrow(withoutId)).toBeUndefined();
    expect(paymentFromEscrow({ ...old, transactionId: 'TX 2026/0211' })).toBeUndefined();
    expect(paymentFromEscrow({ ...old, status: 'maybe' })).toBeUndefined();
    expect(paymentFromEscrow(undefined)).toBeUndefined();
  });
});
