import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/lib/token-hash.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, demoToken, getJson, postJson } from '../helpers/http.js';

// Who may do what, as a matrix: every protected endpoint against every kind of wrong credential.
const anmeldung = loadExamples().find(
  (e) => !e.invalid && e.service === 'gewerbeanmeldung' && e.envelope.regionKey === '147130000000',
)!;
const leipzigPortal = 'leipzig-portal-demo-token';
const mailboxToken = 'dresden-mailbox-demo-token';
const expiredToken = 'amt24-rotated-out-token';

let config: ConfigCopy;
let gw: TestGateway;
let amt24Submission: string;
beforeAll(async () => {
  // this test fails sign-ins on purpose, many times: keep the per-client limit out of its way
  config = copyConfig({ delivery: { enabled: false }, limits: { failedSignInsPerMinute: 10_000 } });
  gw = await startTestGateway({ configFile: config.configFile });
  const accepted = await postJson(gw.url, '/v1/submissions', anmeldung.envelope);
  expect(accepted.status).toBe(202);
  amt24Submission = accepted.body.submissionId as string;
  // amt24 also holds a rotated-out token whose overlap ended yesterday
  const portal = (await gw.store.getPortal('amt24'))!;
  await gw.store.setPortalTokens(
    'amt24',
    [...portal.tokens, { hash: hashToken(expiredToken), notAfter: new Date(Date.now() - 86_400_000).toISOString() }],
    new Date().toISOString(),
  );
});
afterAll(async () => {
  await gw.stop();
  config.remove();
});

async function call(method: string, path: string, authorization: string | undefined, body?: unknown) {
  const res = await fetch(gw.url + path, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

const badCredentials = (own: string[]) =>
  [
    ['no header', undefined],
    ['a malformed header', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
    ['a wrong token', 'Bearer not-a-token-at-all'],
    ...own.map((t) => [`another role's token (${t.slice(0, 12)}…)`, `Bearer ${t}`]),
  ] as [string, string | undefined][];

const adminEndpoints: [string, string, unknown?][] = [
  ['GET', '/admin/v1/routing'],
  ['PUT', '/admin/v1/routing', {}],
  ['GET', '/admin/v1/routing/versions'],
  ['GET', '/admin/v1/routing/versions/1'],
  ['POST', '/admin/v1/routing/rollback/1'],
  ['POST', '/admin/v1/routing/dry-run', {}],
  ['GET', '/admin/v1/deliveries'],
  ['GET', '/admin/v1/deliveries/x'],
  ['GET', '/admin/v1/dead-letters'],
  ['POST', '/admin/v1/dead-letters/replay', {}],
  ['GET', '/admin/v1/destinations'],
  ['GET', '/admin/v1/audit'],
  ['GET', '/admin/v1/portals'],
  ['POST', '/admin/v1/portals', {}],
  ['POST', '/admin/v1/portals/amt24/rotate-token'],
];

describe('the admin API refuses every credential that is not an admin token', () => {
  const cases = adminEndpoints.flatMap(([method, path, body]) =>
    badCredentials([demoToken, mailboxToken, expiredToken]).map(
      ([what, auth]) => [`${method} ${path} with ${what}`, method, path, body, auth] as const,
    ),
  );
  it.each(cases)('%s → 401', async (_name, method, path, body, auth) => {
    const res = await call(method, path, auth, body);
    expect(res.status).toBe(401);
    expect(res.type).toContain('application/problem+json');
  });

  it('lets a viewer read but change nothing', async () => {
    const versionBefore = await gw.store.currentRoutingVersionNumber();
    const portalsBefore = (await gw.store.listPortals()).length;
    const changes = adminEndpoints.filter(([method, path]) => method !== 'GET' && !path.endsWith('/dry-run'));
    expect(changes.length).toBeGreaterThan(4);
    for (const [method, path, body] of changes) {
      const res = await adminCall(gw.url, method, path.replace('/admin/v1', ''), adminTokens.viewer, body ?? {});
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    for (const [method, path] of adminEndpoints.filter(([m]) => m === 'GET')) {
      expect([200, 404], `${method} ${path}`).toContain(
        (await adminCall(gw.url, method, path.replace('/admin/v1', ''), adminTokens.viewer)).status,
      );
    }
    expect(await gw.store.currentRoutingVersionNumber()).toBe(versionBefore);
    expect((await gw.store.listPortals()).length).toBe(portalsBefore);
  });
});

describe('the portal API', () => {
  const portalEndpoints: [string, string][] = [
    ['GET', '/v1/services'],
    ['GET', '/v1/submissions'],
    ['POST', '/v1/submissions'],
    ['GET', '/v1/submissions/x'],
    ['GET', '/v1/submissions/x/events'],
  ];
  const cases = portalEndpoints.flatMap(([method, path]) =>
    badCredentials([adminTokens.editor, mailboxToken, expiredToken]).map(
      ([what, auth]) => [`${method} ${path} with ${what}`, method, path, auth] as const,
    ),
  );
  it.each(cases)('%s → 401', async (_name, method, path, auth) => {
    expect((await call(method, path, auth, method === 'POST' ? anmeldung.envelope : undefined)).status).toBe(401);
  });

  it("hides one portal's submissions from another: 404, not 403, and not in its lists", async () => {
    expect((await getJson(gw.url, `/v1/submissions/${amt24Submission}`)).status).toBe(200);
    expect((await getJson(gw.url, `/v1/submissions/${amt24Submission}`, leipzigPortal)).status).toBe(404);
    expect((await getJson(gw.url, `/v1/submissions/${amt24Submission}/events`, leipzigPortal)).status).toBe(404);
    const list = await getJson(gw.url, '/v1/submissions', leipzigPortal);
    expect(JSON.stringify(list.body)).not.toContain(amt24Submission);
    // the same answer as for an id that does not exist at all
    const unknown = await getJson(gw.url, '/v1/submissions/00000000-0000-4000-8000-000000000000', leipzigPortal);
    expect(unknown.status).toBe(404);
    expect((await getJson(gw.url, `/v1/submissions/${amt24Submission}`, leipzigPortal)).body.detail).toBe(
      unknown.body.detail,
    );
  });

  it('keeps a portal to its services and regions', async () => {
    const dresden = { ...anmeldung.envelope, regionKey: '146120000000' };
    const outside = await postJson(gw.url, '/v1/submissions', dresden, { authorization: `Bearer ${leipzigPortal}` });
    expect(outside.status).toBe(403);
    expect((outside.body.errors as { pointer: string }[])[0]?.pointer).toBe('/regionKey');
    const otherService = await postJson(
      gw.url,
      '/v1/submissions',
      { ...anmeldung.envelope, serviceKey: '99115005104000' },
      { authorization: `Bearer ${leipzigPortal}` },
    );
    expect(otherService.status).toBe(403);
  });
});

describe('mailboxes', () => {
  const paths = ['/v1/mailbox/dresden-gewerbeamt/messages', '/v1/mailbox/dresden-gewerbeamt/messages/x'];
  const cases = paths.flatMap((path) =>
    badCredentials([demoToken, adminTokens.editor, 'statistik-mailbox-demo-token', 'dresden-melde-demo-token']).map(
      ([what, auth]) => [`GET ${path} with ${what}`, path, auth] as const,
    ),
  );
  it.each(cases)('%s → 401', async (_name, path, auth) => {
    expect((await call('GET', path, auth)).status).toBe(401);
  });

  it("opens only with the destination's own token", async () => {
    expect((await call('GET', paths[0]!, `Bearer ${mailboxToken}`)).status).toBe(200);
  });
});
