import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfiguration } from '../../src/cli/config-check.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/open-store.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * `config check` with a reachable store checks the routing in force there, as the start does (issue 28: it passed
 * changes the gateway then refused against the routing stored in the database).
 */
let copy: ConfigCopy;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let routingFile: string;
beforeAll(() => {
  copy = copyConfig();
  routingFile = join(copy.dir, 'routing.yaml');
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-config-check-'));
  env = { ...process.env, AMTSBOTE_DATA_DIR: dataDir };
  delete env.AMTSBOTE_DATABASE_URL;
});
afterAll(() => {
  copy.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Stores a new routing version: routing.yaml's, changed by `edit` (as `routing import` or the admin page would). */
async function storeRouting(edit: (document: Record<string, unknown[]>) => void): Promise<number> {
  const loaded = loadConfig({ configFile: copy.configFile, env });
  const document = structuredClone(loaded.routing) as unknown as Record<string, unknown[]>;
  edit(document);
  const store = await openStore(loaded);
  try {
    const current = (await store.currentRouting())?.version ?? 0;
    const version = await store.appendRoutingVersion(current, {
      document,
      author: 'test',
      note: 'a change made in the store',
      createdAt: new Date().toISOString(),
    });
    if (version === undefined) throw new Error('routing version not stored');
    return version;
  } finally {
    await store.close();
  }
}

describe('config check', () => {
  it('without a store yet checks routing.yaml as the seed', async () => {
    const report = await checkConfiguration({ configFile: copy.configFile, env });
    expect(report).toContain('configuration ok');
    expect(report).toContain(`routing: ${routingFile} (no store yet`);
  });

  it('with a store checks the routing in force there: services it routes must be configured', async () => {
    const seeding = await startTestGateway({ configFile: copy.configFile, dataDir });
    await seeding.stop();
    expect(await checkConfiguration({ configFile: copy.configFile, env })).toContain('routing: version 1 in the store');
    const version = await storeRouting((d) => {
      d.rules!.push({ service: '99999999999999', region: '14', destinations: ['leipzig-gewerbeamt'] });
    });
    const rule = loadConfig({ configFile: copy.configFile, env }).routing.rules.length;
    await expect(checkConfiguration({ configFile: copy.configFile, env })).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringContaining(
        `the routing in force (version ${version} in the store) is invalid against this configuration:\n  /rules/${rule}/service:`,
      ) as unknown,
    });
  });

  it("with a store checks the secrets of the routing in force there, naming the stored version's setting", async () => {
    const version = await storeRouting((d) => {
      const destinations = d.destinations as { id: string; adapter: Record<string, unknown> }[];
      const chemnitz = destinations.findIndex((x) => x.adapter.webhookSecret !== undefined);
      destinations[chemnitz]!.adapter.webhookSecret = 'file:demo/moved-away.secret';
    });
    const chemnitz = loadConfig({ configFile: copy.configFile, env }).routing.destinations.findIndex(
      (x) => 'webhookSecret' in x.adapter,
    );
    await expect(checkConfiguration({ configFile: copy.configFile, env })).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringContaining(
        `the routing in force (version ${version} in the store): /destinations/${chemnitz}/adapter/webhookSecret: ` +
          `${join(copy.dir, 'demo/moved-away.secret')} does not exist`,
      ) as unknown,
    });
    // routing.yaml's own reference is fine: without the store the check passed
    expect(readFileSync(routingFile, 'utf8')).not.toContain('moved-away');
  });

  it('with a store holding routing, a broken routing.yaml is a warning, as at the start', async () => {
    // back to the routing.yaml's document, which this configuration serves
    await storeRouting(() => undefined);
    const original = readFileSync(routingFile, 'utf8');
    writeFileSync(routingFile, 'destinations: [\n  - broken');
    try {
      const report = await checkConfiguration({ configFile: copy.configFile, env });
      expect(report).toContain('configuration ok');
      expect(report).toContain(`warning: ${routingFile} is ignored while the store holds routing`);
      expect(report).toMatch(/is not valid YAML/);
    } finally {
      writeFileSync(routingFile, original);
    }
  });
});
