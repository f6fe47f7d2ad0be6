import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson, multipartOf, postJson } from '../helpers/http.js';

const examples = loadExamples();
const valid = examples.filter((e) => !e.invalid);
const invalid = examples.filter((e) => e.invalid);
const withAttachment = valid.find((e) => Array.isArray(e.envelope.attachments) && e.envelope.attachments.length > 0);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('POST /v1/submissions', () => {
  it('has valid and invalid examples for every demo service', () => {
    expect(new Set(valid.map((e) => e.service)).size).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(9);
    expect(withAttachment).toBeDefined();
  });

  it.each(valid.map((e) => [`${e.service}/${e.file}`, e] as const))(
    'accepts %s with 202 and a working status URL',
    async (_name, example) => {
      const res = await postJson(gw.url, '/v1/submissions', example.envelope);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.status).toBe('pending');
      expect(res.headers.get('location')).toBe(res.body.statusUrl);
      const destinations = res.body.destinations as { destinationId: string; messageId: string; status: string }[];
      expect(destinations.length).toBeGreaterThan(0);
      const status = await getJson('', res.body.statusUrl as string);
      expect(status.status).toBe(200);
      expect(status.body.submissionId).toBe(res.body.submissionId);
      expect((status.body.history as unknown[])[0]).toEqual(
        expect.objectContaining({ seq: 1, type: 'received', status: 'pending' }),
      );
    },
  );

  it.each(invalid.map((e) => [`${e.service}/${e.file}`, e] as const))(
    'refuses %s with 422 and a pointer to the defect',
    async (_name, example) => {
      const res = await postJson(gw.url, '/v1/submissions', example.envelope);
      expect(res.status).toBe(422);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-data');
      const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
      expect(example.expectedPointer, 'examples/<service>/expectations.json names the pointer').toBeDefined();
      expect(pointers).toContain(example.expectedPointer);
    },
  );

  it('refuses a wrong token with 401 and a missing one too', async () => {
    const example = valid[0]!;
    const wrong = await postJson(gw.url, '/v1/submissions', example.envelope, { authorization: 'Bearer not-a-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe('https://amtsbote.dev/problems/unauthenticated');
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('forbids a portal to submit outside its services and regions', async () => {
    const dresden = valid.find(
      (e) => e.envelope.regionKey === '146120000000' && e.envelope.serviceKey === '99050012104000',
    )!;
    const res = await postJson(gw.url, '/v1/submissions', dresden.envelope, {
      authorization: 'Bearer leipzig-portal-demo-token',
    });
    expect(res.status).toBe(403);
    expect(res.body.errors).toEqual([{ pointer: '/regionKey', detail: 'not allowed for this portal' }]);
  });

  it('names unknown services and unroutable regions with pointers', async () => {
    const base = valid[0]!.envelope;
    const unknown = await postJson(gw.url, '/v1/submissions', { ...base, serviceKey: '99999999999999' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.type).toBe('https://amtsbote.dev/problems/unknown-service');
    expect(unknown.body.errors).toEqual([{ pointer: '/serviceKey', detail: 'unknown service' }]);
    const unrouted = await postJson(gw.url, '/v1/submissions', { ...base, regionKey: '146270000000' });
    expect(unrouted.status).toBe(422);
    expect(unrouted.body.type).toBe('https://amtsbote.dev/problems/unroutable-region');
    expect((unrouted.body.errors as { pointer: string }[])[0]?.pointer).toBe('/regionKey');
  });

  it('answers broken envelopes with 400 and pointers, never 500', async () => {
    const base = valid[0]!.envelope;
    const cases: [unknown, string][] = [
      [{ ...base, serviceKey: 12 }, '/serviceKey'],
      [{ ...base, regionKey: '1461' }, '/regionKey'],
      [{ ...base, surprise: true }, '/surprise'],
      [{ ...base, data: 'text' }, '/data'],
      [
        { ...base, attachments: [{ id: 'a b', filename: 'x.pdf', mediaType: 'application/pdf', content: 'AA==' }] },
        '/attachments/0/id',
      ],
      [{ ...base, authentication: { method: 'passport' } }, '/authentication/method'],
      [
        {
          ...base,
          payment: { paymentMethod: 'GIROPAY', status: 'maybe', transactionId: 'TX-1', transactionReference: 'KZ 1' },
        },
        '/payment/status',
      ],
      [{ ...base, callbackUrl: 'ftp://portal.example/cb' }, '/callbackUrl'],
    ];
    for (const [body, pointer] of cases) {
      const res = await postJson(gw.url, '/v1/submissions', body);
      expect(res.status, pointer).toBe(400);
      expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-envelope');
      expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(pointer);
    }
    for (const raw of ['{', '[]', 'null', '"x"', '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}']) {
      const res = await postJson(gw.url, '/v1/submissions', raw);
      expect([400], raw.slice(0, 20)).toContain(res.status);
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
    const bytes = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer amt24-demo-token' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(bytes.status).toBe(400);
  });

  it('refuses other media types with 415 and oversized bodies with 413', async () => {
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer amt24-demo-token' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    const big = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer amt24-demo-token' },
      body: JSON.stringify({ pad: 'x'.repeat(26 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { type: string }).type).toBe('https://amtsbote.dev/problems/payload-too-large');
  });

  it('checks attachments against the service', async () => {
    const example = withAttachment!;
    const attachments = example.envelope.attachments as Record<string, unknown>[];
    const wrongType = await postJson(gw.url, '/v1/submissions', {
      ...example.envelope,
      attachments: [{ ...attachments[0], mediaType: 'application/x-msdownload' }],
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.type).toBe('https://amtsbote.dev/problems/invalid-attachment');
    expect((wrongType.body.errors as { pointer: string }[])[0]?.pointer).toBe('/attachments/0/mediaType');
    const badBase64 = await postJson(gw.url, '/v1/submissions', {
      ...example.envelope,
      attachments: [{ ...attachments[0], content: 'no base64!' }],
    });
    expect(badBase64.status).toBe(400);
    expect((badBase64.body.errors as { pointer: string }[])[0]?.pointer).toBe('/attachments/0/content');
  });

  it('accepts multipart submissions with attachments as parts', async () => {
    const example = withAttachment!;
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: 'Bearer amt24-demo-token' },
      body: multipartOf(example.envelope),
    });
    const body = (await res.json()) as { submissionId: string };
    expect(res.status, JSON.stringify(body)).toBe(202);
    const status = await getJson(gw.url, `/v1/submissions/${body.submissionId}`);
    expect(status.status).toBe(200);
  });

  it('refuses a multipart attachment part the envelope does not list', async () => {
    const example = withAttachment!;
    const form = multipartOf(example.envelope);
    form.append('stowaway', new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), 'x.pdf');
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: 'Bearer amt24-demo-token' },
      body: form,
    });
    expect(res.status).toBe(422);
  });
});

describe('Idempotency-Key', () => {
  it('answers with the same submission for the same key and content, JSON or multipart, and 409 for other content', async () => {
    const example = withAttachment!;
    const key = `idem-${Date.now()}`;
    const first = await postJson(gw.url, '/v1/submissions', example.envelope, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    const again = await postJson(gw.url, '/v1/submissions', example.envelope, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.body.submissionId).toBe(first.body.submissionId);
    const multipart = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: 'Bearer amt24-demo-token', 'idempotency-key': key },
      body: multipartOf(example.envelope),
    });
    expect(multipart.status).toBe(202);
    expect(((await multipart.json()) as { submissionId: string }).submissionId).toBe(first.body.submissionId);
    const other = await postJson(
      gw.url,
      '/v1/submissions',
      { ...example.envelope, reference: 'OTHER-CONTENT-1' },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(409);
    expect(other.body.type).toBe('https://amtsbote.dev/problems/idempotency-conflict');
  });

  it('creates one submission when the same key arrives several times at once', async () => {
    const example = valid[0]!;
    const key = `idem-race-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        postJson(gw.url, '/v1/submissions', example.envelope, { 'idempotency-key': key }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((a) => a.body.submissionId)).size).toBe(1);
  });

  it('scopes keys per portal', async () => {
    const leipzig = valid.find(
      (e) => e.envelope.regionKey === '147130000000' && e.envelope.serviceKey === '99050012104000',
    )!;
    const key = `idem-scope-${Date.now()}`;
    const a = await postJson(gw.url, '/v1/submissions', leipzig.envelope, { 'idempotency-key': key });
    const b = await postJson(gw.url, '/v1/submissions', leipzig.envelope, {
      'idempotency-key': key,
      authorization: 'Bearer leipzig-portal-demo-token',
    });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body.submissionId).not.toBe(b.body.submissionId);
  });
});

describe('GET /v1/submissions/{id}', () => {
  it("answers 404 for another portal's submission and for unknown ids", async () => {
    const example = valid.find(
      (e) => e.envelope.regionKey === '147130000000' && e.envelope.serviceKey === '99050012104000',
    )!;
    const created = await postJson(gw.url, '/v1/submissions', example.envelope);
    const other = await getJson(
      gw.url,
      `/v1/submissions/${created.body.submissionId as string}`,
      'leipzig-portal-demo-token',
    );
    expect(other.status).toBe(404);
    expect(other.body.type).toBe('https://amtsbote.dev/problems/not-found');
    expect((await getJson(gw.url, '/v1/submissions/does-not-exist')).status).toBe(404);
  });
});

describe('services and health', () => {
  it('lists the services a portal may submit, with their schemas', async () => {
    const all = await getJson(gw.url, '/v1/services');
    const services = all.body.services as { key: string; schemaUrl: string }[];
    expect(services.map((s) => s.key)).toContain('99050012104000');
    const schema = await getJson('', services[0]!.schemaUrl);
    expect(schema.status).toBe(200);
    expect(schema.body.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const leipzig = await getJson(gw.url, '/v1/services', 'leipzig-portal-demo-token');
    expect((leipzig.body.services as { key: string }[]).map((s) => s.key)).toEqual(['99050012104000']);
    expect((await getJson(gw.url, '/v1/services/00000000000000/schema')).status).toBe(404);
  });

  it("names each service's source and the destinations per region (the catalogue)", async () => {
    const services = (await getJson(gw.url, '/v1/services')).body.services as {
      key: string;
      source: unknown;
      regions: { region: string; destinations: { id: string; deferred: boolean }[] }[];
    }[];
    const parking = services.find((s) => s.key === '99108001001000')!;
    expect(parking.source).toEqual({ kind: 'hand-made' });
    const dresden = parking.regions.find((r) => r.region === '146120000000');
    expect(dresden?.destinations.map((d) => [d.id, d.deferred])).toEqual([['dresden-bewohnerparkausweis', false]]);
  });

  it('reports readiness with the configuration hash', async () => {
    const ready = await getJson(gw.url, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', store: 'sqlite', configHash: gw.config.hash });
    expect((await getJson(gw.url, '/health/live')).status).toBe(200);
  });

  it('answers unknown paths with problem+json 404', async () => {
    const res = await getJson(gw.url, '/nowhere');
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^application\/problem\+json/);
  });
});
