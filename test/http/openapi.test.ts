import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReceipt, buildReply, openSealedMessage } from '../../src/receiver/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { projectRoot } from '../helpers/paths.js';
import { expectWrittenForPeople } from '../helpers/problem-wording.js';
import { waitUntil } from '../helpers/wait.js';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }>;
}
interface OpenApi {
  openapi: string;
  info: { license?: { identifier?: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const portalToken = 'amt24-demo-token';
const mailboxToken = 'dresden-mailbox-demo-token';
const anmeldung = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const portalReplyKey = JSON.parse(
  readFileSync(join(projectRoot, 'test/fixtures/keys/portal-reply-1.private-jwk.DEVELOPMENT-ONLY.json'), 'utf8'),
) as Record<string, unknown>;
const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...portalReplyPublicKey } = portalReplyKey;

let config: ConfigCopy;
let gw: TestGateway;
let doc: OpenApi;
let ajv: Ajv2020;
/** Every documented (method, path, status) a live answer was checked against. */
const seen = new Set<string>();

beforeAll(async () => {
  // A small body limit, so that 413 needs no 25 MiB upload; room for the failed sign-ins the 401 checks make;
  // a body budget smaller than the limit and no waiting for it, so that one held upload makes submitCase's 503.
  config = copyConfig({
    limits: { maxBodyBytes: 256 * 1024, failedSignInsPerMinute: 30, inFlightBodyBytes: 64 * 1024, bodyWaitSeconds: 0 },
  });
  gw = await startTestGateway({ configFile: config.configFile });
  doc = (await (await fetch(gw.url + '/v1/openapi.json')).json()) as OpenApi;
  // A second validator besides zod, which generated the document: ajv reads the JSON Schemas as served.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
}, 120_000);
afterAll(async () => {
  await gw.stop().catch(() => undefined);
  config.remove();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

/**
 * Checks a live answer against the document: its status is documented for the operation, its media type
 * too, the body validates against the schema given there, and the documented headers are present.
 */
async function conforms(method: string, path: string, res: Response): Promise<unknown> {
  const text = await res.text();
  const status = String(res.status);
  const response = doc.paths[path]?.[method]?.responses[status];
  expect(
    response,
    `${method.toUpperCase()} ${path} ${status} is documented (body: ${text.slice(0, 300)})`,
  ).toBeDefined();
  const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const schema = response?.content?.[media]?.schema;
  expect(schema, `${media} is documented for ${method.toUpperCase()} ${path} ${status}`).toBeDefined();
  const body: unknown = JSON.parse(text);
  const validate = ajv.compile(
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object,
  );
  expect(validate(body), `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  for (const header of Object.keys(response?.headers ?? {}))
    expect(res.headers.get(header), `${header} on ${method.toUpperCase()} ${path} ${status}`).toBeTruthy();
  if (media === 'application/problem+json')
    expectWrittenForPeople(body as { title: string; detail: string; errors?: { detail: string }[] });
  seen.add(`${method} ${path} ${status}`);
  return body;
}

const call = (path: string, init: RequestInit & { token?: string } = {}) => {
  const { token, ...rest } = init;
  return fetch(gw.url + path, {
    ...rest,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(rest.headers as Record<string, string> | undefined),
    },
  });
};
const postSubmission = (body: string, headers: Record<string, string> = {}, token = portalToken) =>
  call('/v1/submissions', { method: 'POST', token, body, headers: { 'content-type': 'application/json', ...headers } });
const postReceipt = (body: string, contentType = 'application/jose') =>
  call('/v1/events', { method: 'POST', body, headers: { 'content-type': contentType } });

describe('GET /v1/openapi.json', () => {
  it("is lint-clean under redocly's recommended rules", async () => {
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    // Reasoned exceptions, each named: these four are served before authentication and the rate limiter
    // and take no input, so no client error can be their answer; documenting a 4XX they never send would
    // make the document lie for the linter's sake.
    const noClientError = ['/health/live', '/health/ready', '/v1/openapi.json', '/.well-known/jwks.json'];
    const excepted = (p: (typeof problems)[number]) =>
      p.ruleId === 'operation-4xx-response' &&
      noClientError.some((path) => p.location[0]?.pointer === `#/paths/${path.replaceAll('/', '~1')}/get/responses`);
    expect(
      problems.filter((p) => !excepted(p)).map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`),
    ).toEqual([]);
    expect(problems.filter(excepted)).toHaveLength(noClientError.length);
  });

  it('names every operation, its security, the server and the licence', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.license?.identifier).toBe('EUPL-1.2');
    expect(doc.servers?.[0]?.url).toBe(gw.url);
    const ids = operations().map((o) => o.operation.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations())
      expect(operation.security, `${method} ${path}`).toBeDefined();
    const open = operations()
      .filter((o) => o.operation.security?.length === 0)
      .map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual([
      'get /.well-known/jwks.json',
      'get /health/live',
      'get /health/ready',
      'get /v1/openapi.json',
      'post /v1/events',
      'post /v1/replies',
    ]);
  });

  it("describes the ids a destination's transport assigned (FIT-Connect's submission and case) in the status", () => {
    const status = doc.components.schemas.SubmissionStatus as {
      properties: { destinations: { items: { properties: Record<string, unknown>; required?: string[] } } };
    };
    const destination = status.properties.destinations.items;
    const fitConnect = destination.properties.fitConnect as {
      properties: Record<string, { format?: string }>;
      required: string[];
    };
    expect(fitConnect.required.sort()).toEqual(['caseId', 'submissionId']);
    expect(fitConnect.properties.submissionId?.format).toBe('uuid');
    expect(fitConnect.properties.caseId?.format).toBe('uuid');
    // Optional: only FIT-Connect destinations have it, and only once the delivery service assigned the ids.
    expect(destination.required ?? []).not.toContain('fitConnect');
  });

  it('publishes the request schema the gateway validates with', async () => {
    const validate = ajv.compile({ $ref: 'openapi#/components/schemas/SubmissionEnvelope' });
    for (const example of loadExamples().filter((e) => !e.invalid))
      expect(validate(example.envelope), example.file).toBe(true);
    const broken = { ...anmeldung.envelope, regionKey: '14612' };
    expect(validate(broken)).toBe(false);
    expect((await postSubmission(JSON.stringify(broken))).status).toBe(400);
  });

  it('matches the live answer of every documented operation: each 2xx and each documented problem status', async () => {
    // Public operations
    await conforms('get', '/health/live', await call('/health/live'));
    await conforms('get', '/health/ready', await call('/health/ready'));
    await conforms('get', '/v1/openapi.json', await call('/v1/openapi.json'));
    await conforms('get', '/.well-known/jwks.json', await call('/.well-known/jwks.json'));

    // Services
    const services = (await conforms('get', '/v1/services', await call('/v1/services', { token: portalToken }))) as {
      services: { key: string }[];
    };
    await conforms('get', '/v1/services', await call('/v1/services', { token: 'wrong' }));
    const key = services.services[0]!.key;
    const schemaRes = await call(`/v1/services/${key}/schema`, { token: portalToken });
    expect(schemaRes.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    await conforms('get', '/v1/services/{serviceKey}/schema', schemaRes);
    await conforms(
      'get',
      '/v1/services/{serviceKey}/schema',
      await call(`/v1/services/${key}/schema`, { token: 'wrong' }),
    );
    await conforms(
      'get',
      '/v1/services/{serviceKey}/schema',
      await call('/v1/services/00000000000000/schema', { token: portalToken }),
    );

    // Submitting
    // With a reply channel: the destination answers it below (issue 24).
    const envelope = JSON.stringify({ ...anmeldung.envelope, replyChannel: { encryptionKey: portalReplyPublicKey } });
    const acceptedRes = await postSubmission(envelope, { 'idempotency-key': 'openapi-1' });
    const location = acceptedRes.headers.get('location');
    const accepted = (await conforms('post', '/v1/submissions', acceptedRes)) as {
      submissionId: string;
      statusUrl: string;
      destinations: { destinationId: string; messageId: string }[];
    };
    expect(location).toBe(accepted.statusUrl);
    await conforms('post', '/v1/submissions', await postSubmission('{"serviceKey": 1}'));
    await conforms('post', '/v1/submissions', await postSubmission(envelope, {}, 'wrong'));
    await conforms('post', '/v1/submissions', await postSubmission(envelope, {}, 'leipzig-portal-demo-token'));
    const other = loadExamples().find((e) => !e.invalid && e.file !== anmeldung.file)!;
    await conforms(
      'post',
      '/v1/submissions',
      await postSubmission(JSON.stringify(other.envelope), { 'idempotency-key': 'openapi-1' }),
    );
    await conforms('post', '/v1/submissions', await postSubmission(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })));
    await conforms(
      'post',
      '/v1/submissions',
      await call('/v1/submissions', {
        method: 'POST',
        token: portalToken,
        body: 'hello',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    const invalid = loadExamples().find((e) => e.invalid)!;
    await conforms('post', '/v1/submissions', await postSubmission(JSON.stringify(invalid.envelope)));

    // Reading submissions
    const id = accepted.submissionId;
    await conforms('get', '/v1/submissions', await call('/v1/submissions?limit=2', { token: portalToken }));
    await conforms('get', '/v1/submissions', await call('/v1/submissions?since=yesterday', { token: portalToken }));
    await conforms('get', '/v1/submissions', await call('/v1/submissions', { token: 'wrong' }));
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/events',
      await call(`/v1/submissions/${id}/events`, { token: portalToken }),
    );
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/events',
      await call(`/v1/submissions/${id}/events`, { token: 'wrong' }),
    );
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/events',
      await call('/v1/submissions/unknown/events', { token: portalToken }),
    );

    // The mailbox: the delivery worker puts the message there
    const dresden = accepted.destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')!;
    const listPath = '/v1/mailbox/dresden-gewerbeamt/messages';
    await waitUntil(
      async () =>
        (
          (await (await call(listPath, { token: mailboxToken })).json()) as { messages: { messageId: string }[] }
        ).messages.some((m) => m.messageId === dresden.messageId),
      60_000,
      () => 'the message never reached the mailbox',
      100,
    );
    await conforms('get', '/v1/mailbox/{destinationId}/messages', await call(listPath, { token: mailboxToken }));
    await conforms('get', '/v1/mailbox/{destinationId}/messages', await call(listPath, { token: 'wrong' }));
    const messageRes = await call(`${listPath}/${dresden.messageId}`, { token: mailboxToken });
    const sealed = await messageRes.clone().text();
    await conforms('get', '/v1/mailbox/{destinationId}/messages/{messageId}', messageRes);
    await conforms(
      'get',
      '/v1/mailbox/{destinationId}/messages/{messageId}',
      await call(`${listPath}/${dresden.messageId}`, { token: 'wrong' }),
    );
    await conforms(
      'get',
      '/v1/mailbox/{destinationId}/messages/{messageId}',
      await call(`${listPath}/unknown`, { token: mailboxToken }),
    );

    // The status now has a delivery in its history
    const status = (await conforms(
      'get',
      '/v1/submissions/{submissionId}',
      await call(`/v1/submissions/${id}`, { token: portalToken }),
    )) as { history: { type: string; destination?: { destinationId: string } }[] };
    expect(
      status.history.some((h) => h.type === 'delivery' && h.destination?.destinationId === 'dresden-gewerbeamt'),
    ).toBe(true);
    await conforms('get', '/v1/submissions/{submissionId}', await call(`/v1/submissions/${id}`, { token: 'wrong' }));
    await conforms(
      'get',
      '/v1/submissions/{submissionId}',
      await call('/v1/submissions/unknown', { token: portalToken }),
    );

    // Receipts
    const demoKey = (name: string) =>
      JSON.parse(
        readFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
      ) as Record<string, unknown>;
    const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const opened = await openSealedMessage(sealed, {
      recipientKeys: [demoKey('dresden-gewerbeamt.encryption')],
      gatewayJwks: jwks,
    });
    const receipt = await buildReceipt(opened, {
      signingJwk: demoKey('dresden-gewerbeamt.receipt-signing'),
      decision: { accept: true },
    });
    await conforms('post', '/v1/events', await postReceipt(receipt));
    await conforms('post', '/v1/events', await postReceipt(receipt));
    await conforms('post', '/v1/events', await postReceipt('x'.repeat(300 * 1024)));
    await conforms('post', '/v1/events', await postReceipt(receipt, 'application/json'));
    await conforms('post', '/v1/events', await postReceipt('not.a.jws'));

    // Replies (issue 24): the destination learns the reply key, posts its reply, the portal fetches and confirms it.
    const mailboxAuth = { authorization: `Bearer ${mailboxToken}` };
    const keyPath = `/v1/messages/${dresden.messageId}/reply-key`;
    const replyKey = (await conforms(
      'get',
      '/v1/messages/{messageId}/reply-key',
      await call(keyPath, { headers: mailboxAuth }),
    )) as { encryptionKey: Record<string, unknown> };
    await conforms('get', '/v1/messages/{messageId}/reply-key', await call(keyPath));
    const signingJwk = demoKey('dresden-gewerbeamt.receipt-signing');
    const data = { content: Buffer.from('{"bescheid":"ok"}'), mediaType: 'application/json', schemaUri: 'urn:x:b' };
    const { reply, metadata } = await buildReply({
      message: opened,
      kind: 'notice',
      data: data,
      replyKey: replyKey.encryptionKey,
      signingJwk,
    });
    const postReply = (body: string, contentType = 'application/json') =>
      call('/v1/replies', { method: 'POST', body, headers: { 'content-type': contentType } });
    const receivedRes = await postReply(JSON.stringify(reply));
    const replyLocation = receivedRes.headers.get('location');
    const received = (await conforms('post', '/v1/replies', receivedRes)) as { replyId: string; statusUrl: string };
    expect(replyLocation).toBe(received.statusUrl);
    expect(received.replyId).toBe(metadata.replyId);
    const { reply: otherReply } = await buildReply({
      message: opened,
      kind: 'information',
      data: data,
      replyKey: replyKey.encryptionKey,
      signingJwk,
      replyId: metadata.replyId,
    });
    await conforms('post', '/v1/replies', await postReply(JSON.stringify(otherReply)));
    await conforms('post', '/v1/replies', await postReply('not json'));
    await conforms('post', '/v1/replies', await postReply(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })));
    await conforms('post', '/v1/replies', await postReply(JSON.stringify(reply), 'text/plain'));
    await conforms('post', '/v1/replies', await postReply(JSON.stringify({ ...reply, signedMetadata: 'a.b.c' })));
    const replyStatusPath = `/v1/replies/${received.replyId}`;
    await conforms('get', '/v1/replies/{replyId}', await call(replyStatusPath, { headers: mailboxAuth }));
    await conforms('get', '/v1/replies/{replyId}', await call(replyStatusPath));

    const repliesPath = `/v1/submissions/${id}/replies`;
    const list = (await conforms(
      'get',
      '/v1/submissions/{submissionId}/replies',
      await call(repliesPath, { token: portalToken }),
    )) as { replies: { replyId: string }[] };
    expect(list.replies.map((r) => r.replyId)).toEqual([received.replyId]);
    await conforms('get', '/v1/submissions/{submissionId}/replies', await call(repliesPath, { token: 'wrong' }));
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/replies',
      await call('/v1/submissions/unknown/replies', { token: portalToken }),
    );
    const replyPath = `${repliesPath}/${received.replyId}`;
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/replies/{replyId}',
      await call(replyPath, { token: portalToken }),
    );
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/replies/{replyId}',
      await call(replyPath, { token: 'wrong' }),
    );
    await conforms(
      'get',
      '/v1/submissions/{submissionId}/replies/{replyId}',
      await call(`${repliesPath}/unknown`, { token: portalToken }),
    );
    const confirmationPath = '/v1/submissions/{submissionId}/replies/{replyId}/confirmation';
    const confirm = (body: unknown, token = portalToken, path = `${replyPath}/confirmation`) =>
      call(path, {
        method: 'POST',
        token,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    await conforms('post', confirmationPath, await confirm({ outcome: 'maybe' }));
    await conforms('post', confirmationPath, await confirm({ outcome: 'accepted' }));
    await conforms('post', confirmationPath, await confirm({ outcome: 'rejected', reason: 'unreadable' }));
    await conforms('post', confirmationPath, await confirm({ outcome: 'accepted' }, 'wrong'));
    await conforms(
      'post',
      confirmationPath,
      await confirm({ outcome: 'accepted' }, portalToken, `${repliesPath}/unknown/confirmation`),
    );

    // 503 of submitCase: an upload that is still arriving holds the whole body budget; the next submission is
    // refused at once with Retry-After, its body unread (the same problem as a full intake pool's).
    const held = request(`${gw.url}/v1/submissions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${portalToken}`,
        'content-type': 'application/json',
        'content-length': String(128 * 1024),
      },
    });
    held.on('error', () => undefined);
    held.write('{"service":');
    let busy: Response | undefined;
    // Until the held upload's headers have reached the gateway, the probe (no envelope) is refused as invalid.
    for (let i = 0; i < 100 && busy === undefined; i++) {
      const probe = await postSubmission(JSON.stringify({ padding: 'x'.repeat(1000) }));
      if (probe.status === 503) busy = probe;
      else await probe.arrayBuffer();
    }
    held.destroy();
    expect(busy?.status).toBe(503);
    const refusal = (await conforms('post', '/v1/submissions', busy!)) as { retryAfter?: number };
    expect(Number(busy!.headers.get('retry-after'))).toBe(refusal.retryAfter);

    // 429: a client that failed to sign in too often is refused everywhere behind the limiter.
    const limited = operations().filter((o) => '429' in o.operation.responses);
    const sample: Record<string, string> = {
      '{serviceKey}': key,
      '{submissionId}': id,
      '{destinationId}': 'dresden-gewerbeamt',
      '{messageId}': dresden.messageId,
      '{replyId}': received.replyId,
    };
    const block = async () => {
      for (let i = 0; i < 100; i++) if ((await call('/v1/services', { token: 'wrong' })).status === 429) return;
      throw new Error('no 429 after 100 failed sign-ins');
    };
    for (const { path, method } of limited) {
      const concrete = path.replace(/\{\w+\}/g, (name) => sample[name] ?? name);
      // The block lasts until one sign-in token is back (2 s here): on a busy machine it may lapse, so renew it.
      for (let attempt = 0; attempt < 5; attempt++) {
        await block();
        const res = await call(concrete, {
          method: method.toUpperCase(),
          token: portalToken,
          ...(method === 'post' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
        });
        if (res.status === 429) {
          const body = (await conforms(method, path, res)) as { retryAfter?: number };
          expect(Number(res.headers.get('retry-after'))).toBe(body.retryAfter);
          break;
        }
        await res.arrayBuffer();
      }
      expect(seen.has(`${method} ${path} 429`), `${method} ${path} answered 429`).toBe(true);
    }

    // 503: readiness when the store no longer answers (it is closed here; the gateway stops after this test).
    await gw.store.close();
    await conforms('get', '/health/ready', await call('/health/ready'));

    // Nothing documented went unchecked.
    const documented = operations().flatMap(({ path, method, operation }) =>
      Object.keys(operation.responses).map((status) => `${method} ${path} ${status}`),
    );
    expect(documented.filter((d) => !seen.has(d))).toEqual([]);
  }, 240_000);
});
