import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

/**
 * What the store keeps of an envelope (issue 19, F8): of the payment its method and status, of the
 * Idempotency-Key a keyed hash. The transaction id, the Kassenzeichen, the amount and the key itself reach
 * no file in the data dir (they travel sealed, to the recipients and into the escrow copy), while
 * idempotency still answers a repeated request.
 */
const example = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const markers = {
  transactionId: 'TX-MARKER-5f1c9e',
  transactionReference: 'KZ-MARKER-77a3d0',
  idempotencyKey: 'IDEM-MARKER-c04b2e',
};
const envelope = {
  ...example.envelope,
  payment: {
    paymentMethod: 'GIROPAY',
    status: 'BOOKED',
    transactionId: markers.transactionId,
    transactionReference: markers.transactionReference,
    grossAmount: 731.59,
  },
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('what the store keeps of an envelope', () => {
  it("keeps the payment's method and status and a keyed hash of the Idempotency-Key, nothing of them in clear", async () => {
    const headers = { 'idempotency-key': markers.idempotencyKey };
    const first = await postJson(gw.url, '/v1/submissions', envelope, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const submissionId = first.body.submissionId as string;

    const record = await gw.store.getSubmission(submissionId);
    expect(record?.payment).toEqual({ method: 'GIROPAY', status: 'BOOKED' });

    // The same key and content answers with the same submission; other content under the key is a conflict.
    const again = await postJson(gw.url, '/v1/submissions', envelope, headers);
    expect(again.body.submissionId).toBe(submissionId);
    const other = await postJson(gw.url, '/v1/submissions', { ...envelope, reference: 'OTHER' }, headers);
    expect(other.status).toBe(409);

    // Every file of the data dir (the SQLite file and its write-ahead log included), byte for byte.
    const files = readdirSync(gw.dataDir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(gw.dataDir, name))
      .filter((path) => statSync(path).isFile());
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const [what, marker] of Object.entries(markers))
        expect(bytes.includes(marker), `${what} in ${file}`).toBe(false);
      expect(bytes.includes('731.59'), `amount in ${file}`).toBe(false);
    }
    for (const marker of Object.values(markers)) expect(gw.logs()).not.toContain(marker);
  });
});
