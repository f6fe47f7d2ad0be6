import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationInForce } from '../../src/gateway/configuration-in-force.js';
import type { ConfigurationSet } from '../../src/intake/configuration-set.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminTokens, getJson } from '../helpers/http.js';

describe('the configuration in force', () => {
  it('answers the set in force, and a replacement hands back the set it replaced', () => {
    const first = { config: { hash: 'a' } } as unknown as ConfigurationSet;
    const second = { config: { hash: 'b' } } as unknown as ConfigurationSet;
    const holder = configurationInForce(first);
    expect(holder.current()).toBe(first);
    expect(holder.replace(second)).toBe(first);
    expect(holder.current()).toBe(second);
  });
});

describe('routes wired before a reload (in-process gateway)', () => {
  let copy: ConfigCopy;
  let gw: TestGateway;
  beforeAll(async () => {
    copy = copyConfig();
    gw = await startTestGateway({ configFile: copy.configFile });
  });
  afterAll(async () => {
    await gw.stop();
    copy.remove();
  });

  const key = '99108001001000';
  const serviceName = async () =>
    ((await getJson(gw.url, '/v1/services')).body.services as { key: string; name: string }[]).find(
      (s) => s.key === key,
    )?.name;
  const adminName = async () =>
    (
      (await getJson(gw.url, '/admin/v1/routing', adminTokens.viewer)).body.names as {
        services: Record<string, string>;
      }
    ).services[key];

  it('see the reloaded configuration: portal API, admin API and readiness', async () => {
    expect(await serviceName()).toBe('Bewohnerparkausweis');
    expect(await adminName()).toBe('Bewohnerparkausweis');
    const file = join(copy.dir, 'services', 'bewohnerparkausweis.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('name: Bewohnerparkausweis', 'name: Bewohnerparkausweis (neu)'),
    );

    const outcome = await gw.reloadConfig();

    expect(outcome.configHash).not.toBe(outcome.previousConfigHash);
    expect(await serviceName()).toBe('Bewohnerparkausweis (neu)');
    expect(await adminName()).toBe('Bewohnerparkausweis (neu)');
    expect((await getJson(gw.url, '/health/ready')).body.configHash).toBe(outcome.configHash);
  });
});
