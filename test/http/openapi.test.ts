import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson, postJson } from '../helpers/http.js';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

let gw: TestGateway;
let doc: OpenApi;
let ajv: Ajv2020;
beforeAll(async () => {
  gw = await startTestGateway();
  doc = (await (await fetch(gw.url + '/v1/openapi.json')).json()) as OpenApi;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
});
afterAll(async () => {
  await gw.stop();
});

/** Validates a real response body against the schema the document declares for that path, method and status. */
function conforms(path: string, method: string, status: number, contentType: string, body: unknown) {
  const response = doc.paths[path]?.[method]?.responses[String(status)];
  expect(response, `${method} ${path} ${status} is documented`).toBeDefined();
  const media = contentType.split(';')[0]!.trim();
  const schema = response?.content?.[media]?.schema;
  expect(schema, `${media} is documented for ${status}`).toBeDefined();
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object;
  const validate = ajv.compile(rewritten);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

describe('GET /v1/openapi.json', () => {
  it('is OpenAPI 3.1 and documents the portal API', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/submissions', '/v1/submissions/{submissionId}', '/v1/services']));
  });

  it('matches real responses: 202, status, problems, services, health', async () => {
    const example = loadExamples().find((e) => !e.invalid)!;
    const accepted = await postJson(gw.url, '/v1/submissions', example.envelope);
    conforms('/v1/submissions', 'post', 202, accepted.type, accepted.body);
    const status = await getJson(gw.url, `/v1/submissions/${accepted.body.submissionId as string}`);
    conforms('/v1/submissions/{submissionId}', 'get', 200, status.type, status.body);
    const invalid = loadExamples().find((e) => e.invalid)!;
    const problem = await postJson(gw.url, '/v1/submissions', invalid.envelope);
    conforms('/v1/submissions', 'post', 422, problem.type, problem.body);
    const unauth = await postJson(gw.url, '/v1/submissions', {}, { authorization: 'Bearer nope' });
    conforms('/v1/submissions', 'post', 401, unauth.type, unauth.body);
    const envelope = await postJson(gw.url, '/v1/submissions', { serviceKey: 1 });
    conforms('/v1/submissions', 'post', 400, envelope.type, envelope.body);
    const services = await getJson(gw.url, '/v1/services');
    conforms('/v1/services', 'get', 200, services.type, services.body);
    const missing = await getJson(gw.url, '/v1/submissions/unknown');
    conforms('/v1/submissions/{submissionId}', 'get', 404, missing.type, missing.body);
    const list = await getJson(gw.url, '/v1/submissions?limit=2');
    conforms('/v1/submissions', 'get', 200, list.type, list.body);
    const log = await getJson(gw.url, `/v1/submissions/${accepted.body.submissionId as string}/events`);
    conforms('/v1/submissions/{submissionId}/events', 'get', 200, log.type, log.body);
    const ready = await getJson(gw.url, '/health/ready');
    conforms('/health/ready', 'get', 200, ready.type, ready.body);
  });

  it('publishes the request schema the gateway validates with', async () => {
    const validate = ajv.compile({ $ref: 'openapi#/components/schemas/SubmissionEnvelope' });
    for (const example of loadExamples().filter((e) => !e.invalid)) expect(validate(example.envelope), example.file).toBe(true);
    const broken = { ...loadExamples()[0]!.envelope, regionKey: '14612' };
    expect(validate(broken)).toBe(false);
    expect((await postJson(gw.url, '/v1/submissions', broken)).status).toBe(400);
  });
});
