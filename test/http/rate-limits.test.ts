import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, getJson } from '../helpers/http.js';

let config: ConfigCopy;
let gw: TestGateway;
beforeAll(async () => {
  // tiny buckets that do not refill within the test
  config = copyConfig({ limits: { portalBurst: 3, portalRequestsPerSecond: 0.01, failedSignInsPerMinute: 3 } });
  gw = await startTestGateway({ configFile: config.configFile });
});
afterAll(async () => {
  await gw.stop();
  config.remove();
});

describe('rate limits', () => {
  it('gives each portal its own token bucket and answers 429 with Retry-After when it is empty', async () => {
    for (let i = 0; i < 3; i++) expect((await getJson(gw.url, '/v1/submissions')).status).toBe(200);
    const refused = await getJson(gw.url, '/v1/submissions');
    expect(refused.status).toBe(429);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.type).toBe('https://amtsbote.dev/problems/rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another portal is not affected
    expect((await getJson(gw.url, '/v1/submissions', 'leipzig-portal-demo-token')).status).toBe(200);
  });

  it('limits failed sign-ins per client, then refuses even a valid token from it; failures are audited without the token', async () => {
    const marker = 'wrong-token-MARKER-5f3a';
    for (let i = 0; i < 3; i++) expect((await getJson(gw.url, '/v1/submissions', `${marker}-${i}`)).status).toBe(401);
    const limited = await adminCall(gw.url, 'GET', '/audit', `${marker}-x`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // blocked before any token is looked at, also on the portal API
    expect((await adminCall(gw.url, 'GET', '/audit', adminTokens.editor)).status).toBe(429);
    expect((await getJson(gw.url, '/v1/submissions', 'leipzig-portal-demo-token')).status).toBe(429);

    const audit = await gw.store.listAudit(50);
    const failures = audit.filter((a) => a.action === 'sign-in.failed');
    expect(failures).toHaveLength(3);
    expect(failures[0]?.detail).toMatchObject({
      surface: 'portal',
      client: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) as unknown,
    });
    expect(JSON.stringify(audit)).not.toContain(marker);
    expect(JSON.stringify(audit)).not.toContain('127.0.0.1');
    expect(gw.logs()).not.toContain(marker);
  });
});
