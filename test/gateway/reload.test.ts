import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson } from '../helpers/http.js';

let copy: ConfigCopy;
let gw: TestGateway;
beforeAll(async () => {
  copy = copyConfig({ copyMappings: true });
  gw = await startTestGateway({ configFile: copy.configFile });
});
afterAll(async () => {
  await gw.stop();
  copy.remove();
});

/** One service file (`<name>.yaml`) per configured service in the copied config. */
const configuredServices = () => readdirSync(join(copy.dir, 'services')).filter((f) => f.endsWith('.yaml')).length;
const readyHash = async () => (await getJson(gw.url, '/health/ready')).body.configHash as string;

describe('configuration reload (in-process)', () => {
  it('reloads unchanged files to the same hash', async () => {
    const before = await readyHash();
    await expect(gw.reloadConfig()).resolves.toMatchObject({
      configHash: before,
      previousConfigHash: before,
      services: configuredServices(),
    });
  });

  it('refuses a changed gateway.yaml, whose settings need a restart, and keeps the hash', async () => {
    const before = await readyHash();
    const file = copy.configFile;
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('tokenRotationOverlapHours: 24', 'tokenRotationOverlapHours: 48'));
    try {
      await expect(gw.reloadConfig()).rejects.toMatchObject({
        code: 'config-rejected',
        message: expect.stringMatching(/gateway\.yaml differs from the running one/) as unknown,
      });
      expect(await readyHash()).toBe(before);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses a mapping folder that no longer serves a routed destination, naming the rule', async () => {
    const before = await readyHash();
    const file = join(copy.mappingsDir, 'json', '1', 'hundesteuer-anmeldung.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('messages: [hundesteuer.anmeldung]', 'messages: [hundesteuer.anmeldung.v2]'));
    try {
      const error = (await gw.reloadConfig().catch((e: unknown) => e)) as {
        code: string;
        errors: { pointer: string; detail: string }[];
      };
      expect(error.code).toBe('config-rejected');
      expect(error.errors[0]?.pointer).toMatch(/^\/rules\/\d+\/destinations\/0$/);
      expect(error.errors[0]?.detail).toMatch(/hundesteuer-anmeldung: .*does not produce hundesteuer\.anmeldung/);
      expect(await readyHash()).toBe(before);
    } finally {
      writeFileSync(file, original);
    }
  });
});
