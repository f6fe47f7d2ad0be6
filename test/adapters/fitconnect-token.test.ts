import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenSource } from '../../src/adapters/fitconnect/token.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';

let sim: FitConnectSimulator;
const dispatcher = new Agent();
beforeAll(async () => {
  sim = await startFitConnectSimulator({ tokenTtlSeconds: 1800 });
});
afterAll(async () => {
  await sim.close();
  await dispatcher.close();
});

const tokenRequests = () => sim.requests.filter((r) => r.path === '/token').length;

describe('FIT-Connect OAuth token', () => {
  it('is fetched with the credentials as form fields, cached, and renewed a minute before it expires', async () => {
    let now = new Date('2026-11-26T00:00:00Z');
    const tokens = tokenSource({
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      secret: () => sim.clientSecret,
      dispatcher,
      now: () => now,
    });
    const before = tokenRequests();
    const first = await tokens.get(AbortSignal.timeout(5000));
    expect(typeof first).toBe('string');
    now = new Date(now.getTime() + 1_700_000);
    expect(await tokens.get(AbortSignal.timeout(5000))).toBe(first);
    expect(tokenRequests()).toBe(before + 1);
    // 1800 s lifetime: from 1740 s on, a new one is fetched.
    now = new Date(now.getTime() + 41_000);
    const renewed = await tokens.get(AbortSignal.timeout(5000));
    expect(renewed).not.toBe(first);
    expect(tokenRequests()).toBe(before + 2);
    tokens.invalidate();
    expect(await tokens.get(AbortSignal.timeout(5000))).not.toBe(renewed);
  });

  it('turns refused credentials and an overloaded endpoint into retries, the latter honouring Retry-After', async () => {
    const refused = tokenSource({
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      secret: () => 'wrong',
      dispatcher,
      now: () => new Date(),
    });
    expect(await refused.get(AbortSignal.timeout(5000))).toEqual({
      kind: 'retry',
      reason: 'fitconnect-token-refused',
      httpStatus: 401,
    });
    const unreadable = tokenSource({
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      secret: () => {
        throw new Error('no such file');
      },
      dispatcher,
      now: () => new Date(),
    });
    expect(await unreadable.get(AbortSignal.timeout(5000))).toEqual({
      kind: 'retry',
      reason: 'fitconnect-client-secret-unavailable',
    });
    sim.failNext({ method: 'POST', path: /^\/token$/, status: 503, retryAfter: '12' });
    const busy = tokenSource({
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      secret: () => sim.clientSecret,
      dispatcher,
      now: () => new Date(),
    });
    expect(await busy.get(AbortSignal.timeout(5000))).toEqual({
      kind: 'retry',
      reason: 'fitconnect-token-http-503',
      httpStatus: 503,
      afterMs: 12_000,
    });
  });
});
