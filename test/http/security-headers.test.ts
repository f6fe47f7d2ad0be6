import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('security headers', () => {
  it.each([
    ['GET', '/health/live', undefined],
    ['GET', '/.well-known/jwks.json', undefined],
    ['GET', '/v1/submissions', undefined],
    ['GET', '/v1/submissions', 'amt24-demo-token'],
    ['POST', '/v1/submissions', 'amt24-demo-token'],
    ['GET', '/no/such/path', undefined],
  ])('are on every response: %s %s', async (method, path, token) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: token ? { authorization: `Bearer ${token}`, 'content-type': 'text/plain' } : {},
      body: method === 'POST' ? 'x' : undefined,
    });
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
