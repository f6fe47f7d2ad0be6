import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { gatewaySecretProblems, routingSecretProblems } from '../../src/config/secret-references.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * Every secret a setting references is resolved before the gateway needs it, each problem named by file and
 * setting — `config check` and the start alike (issue 28: a missing callback or webhook secret passed both and
 * failed only when delivering; a missing hmacSecret failed the start with a bare file-not-found).
 */
const copies: ConfigCopy[] = [];
afterEach(() => {
  for (const c of copies.splice(0)) c.remove();
});
function copy(options: Parameters<typeof copyConfig>[0] = {}): ConfigCopy {
  const c = copyConfig(options);
  copies.push(c);
  return c;
}
const problemsOf = (c: ConfigCopy, env: NodeJS.ProcessEnv = {}) => {
  const loaded = loadConfig({ configFile: c.configFile, env });
  return [
    ...gatewaySecretProblems(loaded, env),
    ...routingSecretProblems(loaded, loaded.routing, join(c.dir, 'routing.yaml'), env),
  ];
};

describe('secret references', () => {
  it('the demo configuration resolves every one', () => {
    expect(problemsOf(copy())).toEqual([]);
  });

  it('names a portal callback secret whose file is missing', () => {
    const c = copy();
    rmSync(join(c.dir, 'demo/amt24-callback.secret.DEVELOPMENT-ONLY'));
    expect(problemsOf(c)).toEqual([
      {
        file: c.configFile,
        pointer: '/portals/0/callback/secret',
        detail: `${join(c.dir, 'demo/amt24-callback.secret.DEVELOPMENT-ONLY')} does not exist`,
      },
    ]);
  });

  it('names a destination webhook secret whose file is missing, in the routing file', () => {
    const c = copy();
    rmSync(join(c.dir, 'demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY'));
    expect(problemsOf(c)).toEqual([
      {
        file: join(c.dir, 'routing.yaml'),
        pointer: expect.stringMatching(/^\/destinations\/\d+\/adapter\/webhookSecret$/) as string,
        detail: expect.stringContaining('does not exist') as string,
      },
    ]);
  });

  it('names an hmacSecret whose environment variable is not set, and accepts it once set', () => {
    const c = copy({ settings: { hmacSecret: 'env:TEST_HMAC_SECRET' } });
    expect(problemsOf(c)).toEqual([
      { file: c.configFile, pointer: '/hmacSecret', detail: 'the environment variable TEST_HMAC_SECRET is not set' },
    ]);
    expect(problemsOf(c, { TEST_HMAC_SECRET: 'x'.repeat(40) })).toEqual([]);
  });

  it('names an hmacSecret file others can read: it is key material', () => {
    const c = copy({ settings: { hmacSecret: 'file:hmac.secret' } });
    writeFileSync(join(c.dir, 'hmac.secret'), 'a-development-hmac-secret-of-forty-characters');
    chmodSync(join(c.dir, 'hmac.secret'), 0o644);
    expect(problemsOf(c)).toEqual([
      {
        file: c.configFile,
        pointer: '/hmacSecret',
        detail: expect.stringMatching(/key material but readable by others \(mode 644\).*chmod 600/) as string,
      },
    ]);
    chmodSync(join(c.dir, 'hmac.secret'), 0o600);
    expect(problemsOf(c)).toEqual([]);
  });

  it('names a gateway key file that is missing', () => {
    const c = copy({ keys: { signing: '/nonexistent/signing.json', escrow: '/nonexistent/escrow.json' } });
    expect(problemsOf(c).map((p) => p.pointer)).toEqual(['/keys/signing/0/file', '/keys/escrow/0/file']);
  });

  it('the start refuses with the same words', async () => {
    const c = copy({ settings: { hmacSecret: 'file:missing-hmac.secret' } });
    await expect(startTestGateway({ configFile: c.configFile })).rejects.toThrow(
      `  ${c.configFile}: /hmacSecret: ${join(c.dir, 'missing-hmac.secret')} does not exist`,
    );
  });

  it('the start refuses a missing webhook secret of the routing in force', async () => {
    const c = copy();
    rmSync(join(c.dir, 'demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY'));
    await expect(startTestGateway({ configFile: c.configFile })).rejects.toThrow(
      /the routing in force \(version 1 in the store\): \/destinations\/\d+\/adapter\/webhookSecret: .* does not exist/,
    );
  });
});
