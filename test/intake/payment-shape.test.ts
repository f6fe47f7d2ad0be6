import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

/**
 * The envelope's `payment` is FIT-Connect's `paymentInformation` field for field (issue 22 item 4): that shape
 * is accepted and reaches the signed `amtsbote-sealed/1` metadata with how the applicant was identified; the
 * earlier shape is refused with one pointer per changed field, each saying what replaced it.
 */
const example = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const { payment: _payment, ...withoutPayment } = example.envelope as Record<string, unknown>;
const payment = {
  transactionId: 'TX-2026-0211-7731',
  transactionReference: 'Kassenzeichen 5.0123.000123.4',
  transactionUrl: 'https://payment.sachsen.example/api/v1/paymenttransaction/12002312/TX-2026-0211-7731',
  transactionTimestamp: '2026-02-11T10:41:07+01:00',
  paymentMethod: 'CREDITCARD',
  paymentMethodDetail: 'Visa',
  status: 'BOOKED',
  grossAmount: 19.99,
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const refusal = async (body: unknown) => {
  const res = await postJson(gw.url, '/v1/submissions', body);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.type).toContain('application/problem+json');
  expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-envelope');
  return res.body.errors as { pointer: string; detail: string; code?: string; params?: Record<string, string> }[];
};

describe("the envelope's payment", () => {
  it("takes FIT-Connect's paymentInformation, and the signed metadata carries it and the authentication unchanged", async () => {
    const accepted = await postJson(gw.url, '/v1/submissions', { ...withoutPayment, payment });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const delivery = (accepted.body.destinations as { destinationId: string; messageId: string }[]).find(
      (d) => d.destinationId === 'dresden-gewerbeamt',
    )!;
    const stored = await gw.store.getSealedMessage(delivery.messageId);
    const key = JSON.parse(
      readFileSync(
        join(projectRoot, 'config/demo/dresden-gewerbeamt.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const opened = await openSealedMessage(stored!.body, {
      recipientKeys: [key],
      gatewayJwks: jwks,
      expectedDestinationId: 'dresden-gewerbeamt',
    });
    expect(opened.metadata.paymentInformation).toEqual(payment);
    expect(opened.metadata.authentication).toEqual({ method: 'bundid', levelOfAssurance: 'substantial' });
    expect(withoutPayment.authentication).toEqual(opened.metadata.authentication);
    // The store keeps method and status only, in FIT-Connect's values.
    const record = await gw.store.getSubmission(accepted.body.submissionId as string);
    expect(record?.payment).toEqual({ method: 'CREDITCARD', status: 'BOOKED' });
  });

  it('takes the required members alone', async () => {
    const minimal = { transactionId: 'T-1', transactionReference: '', paymentMethod: 'INVOICE', status: 'INITIAL' };
    const accepted = await postJson(gw.url, '/v1/submissions', { ...withoutPayment, payment: minimal });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  });

  it('refuses the earlier shape with one pointer per changed field, naming what replaced it', async () => {
    const errors = await refusal({
      ...withoutPayment,
      payment: {
        method: 'giropay',
        status: 'paid',
        transactionId: 'TX-2026-0211-7731',
        transactionReference: 'Kassenzeichen 5.0123.000123.4',
        amount: 26,
      },
    });
    expect(errors.map((e) => e.pointer)).toEqual(['/payment/method', '/payment/amount', '/payment/status']);
    expect(errors.map((e) => e.params?.to)).toEqual(['paymentMethod', 'grossAmount', 'BOOKED']);
    expect(errors[0]!.detail).toContain('paymentMethod');
    expect(errors[1]!.detail).toContain('grossAmount');
    expect(errors[2]!.detail).toContain('"BOOKED"');
  });

  it.each([
    ['initial', 'INITIAL'],
    ['booked', 'BOOKED'],
    ['failed', 'FAILED'],
    ['canceled', 'CANCELED'],
  ])('refuses the lower-case status %s, naming %s', async (old, replacement) => {
    const errors = await refusal({ ...withoutPayment, payment: { ...payment, status: old } });
    expect(errors).toEqual([expect.objectContaining({ pointer: '/payment/status', params: { to: replacement } })]);
    expect(errors[0]!.detail).toContain(replacement);
  });

  it('reports what else is wrong besides the old fields', async () => {
    const errors = await refusal({
      ...withoutPayment,
      payment: { method: 'giropay', status: 'BOOKED', transactionReference: 'KZ' },
    });
    expect(errors.map((e) => e.pointer)).toEqual(['/payment/method', '/payment/transactionId']);
  });

  it.each([
    ['a transaction id longer than 36 characters', { transactionId: 'T'.repeat(37) }, '/payment/transactionId'],
    ['a transaction id with a space', { transactionId: 'TX 1' }, '/payment/transactionId'],
    ['a method outside the enum', { paymentMethod: 'SEPA' }, '/payment/paymentMethod'],
    ['a detail with a dot', { paymentMethodDetail: 'Visa.' }, '/payment/paymentMethodDetail'],
    ['an amount below a cent', { grossAmount: 0 }, '/payment/grossAmount'],
    ['fractions of a cent', { grossAmount: 1.005 }, '/payment/grossAmount'],
    ['a timestamp without an offset', { transactionTimestamp: '2026-02-11T10:41:07' }, '/payment/transactionTimestamp'],
    ['a URL that is no absolute URI', { transactionUrl: 'https://pay.example/a b' }, '/payment/transactionUrl'],
    ['an unknown member', { currency: 'EUR' }, '/payment/currency'],
  ])('refuses %s', async (_name, change, pointer) => {
    const errors = await refusal({ ...withoutPayment, payment: { ...payment, ...change } });
    expect(errors.map((e) => e.pointer)).toEqual([pointer]);
  });
});
