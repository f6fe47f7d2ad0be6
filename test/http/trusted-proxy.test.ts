import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../src/config/gateway-schema.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Two gateways, three failed sign-ins per client each: one behind a trusted proxy on loopback, one not. */
let behindProxy: { config: ConfigCopy; gw: TestGateway };
let direct: { config: ConfigCopy; gw: TestGateway };
const start = async (listen: Record<string, unknown>) => {
  const config = copyConfig({
    limits: { failedSignInsPerMinute: 3 },
    settings: { listen: { host: '127.0.0.1', port: 8080, ...listen } },
  });
  return { config, gw: await startTestGateway({ configFile: config.configFile }) };
};
beforeAll(async () => {
  behindProxy = await start({ trustProxy: ['loopback'] });
  direct = await start({});
});
afterAll(async () => {
  for (const { gw, config } of [behindProxy, direct]) {
    await gw.stop();
    config.remove();
  }
});

/** A portal API call with a wrong token, as forwarded for `client`. */
const failFrom = async (base: string, client: string) =>
  (
    await fetch(base + '/v1/submissions', {
      headers: { authorization: 'Bearer not-a-token', 'x-forwarded-for': client },
    })
  ).status;

describe('clients behind a reverse proxy', () => {
  it('limits failed sign-ins per forwarded client when the proxy is trusted: one client cannot lock out another', async () => {
    const base = behindProxy.gw.url;
    for (let i = 0; i < 3; i++) expect(await failFrom(base, '198.51.100.7')).toBe(401);
    expect(await failFrom(base, '198.51.100.7')).toBe(429);
    expect(await failFrom(base, '203.0.113.20')).toBe(401);
  });

  it('ignores X-Forwarded-For from an untrusted peer: a client cannot dodge the limit by inventing addresses', async () => {
    const base = direct.gw.url;
    for (let i = 0; i < 3; i++) expect(await failFrom(base, `198.51.100.${i + 1}`)).toBe(401);
    expect(await failFrom(base, '203.0.113.20')).toBe(429);
  });

  it('refuses a trusted proxy that is not an address, a subnet or a named set, with a pointer to it', () => {
    const parsed = gatewaySchema.safeParse({
      listen: { trustProxy: ['10.0.0.0/8', 'loopback', '2001:db8::/129', 'proxy.example'] },
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.filter((i) => i.path[0] === 'listen').map((i) => i.path.join('/'));
    expect(issues).toEqual(['listen/trustProxy/2', 'listen/trustProxy/3']);
  });
});
