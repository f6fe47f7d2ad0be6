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
import { parseDocument } from 'yaml';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';

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

describe('config check with a FIT-Connect destination', () => {
  // Its own configuration and no store: routing.yaml (the seed) routes Leipzig's Gewerbeanmeldung to the simulator.
  let fitCopy: ConfigCopy;
  let sim: FitConnectSimulator;
  let fitEnv: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startFitConnectSimulator();
    fitCopy = copyConfig();
    fitEnv = {
      ...process.env,
      AMTSBOTE_DATA_DIR: join(fitCopy.dir, 'no-store-here'),
      CONFIG_CHECK_FITCONNECT_SECRET: sim.clientSecret,
    };
    delete fitEnv.AMTSBOTE_DATABASE_URL;
    // The delivery service is asked as the gateway asks it, with the secret from the process's environment.
    process.env.CONFIG_CHECK_FITCONNECT_SECRET = sim.clientSecret;
    const file = join(fitCopy.dir, 'routing.yaml');
    const routing = parseDocument(readFileSync(file, 'utf8'));
    const leipzig = (routing.toJS() as { destinations: { id: string }[] }).destinations.findIndex(
      (d) => d.id === 'leipzig-gewerbeamt',
    );
    routing.setIn(['destinations', leipzig, 'sealing'], 'fitconnect');
    routing.setIn(
      ['destinations', leipzig, 'adapter'],
      routing.createNode({
        kind: 'fitconnect',
        tokenUrl: sim.tokenUrl,
        submissionApiUrl: sim.submissionApiUrl,
        clientId: sim.clientId,
        clientSecret: 'env:CONFIG_CHECK_FITCONNECT_SECRET',
        destinationId: sim.destinationId,
      }),
    );
    writeFileSync(file, routing.toString());
  });
  afterAll(async () => {
    Reflect.deleteProperty(process.env, 'CONFIG_CHECK_FITCONNECT_SECRET');
    fitCopy.remove();
    await sim.close();
  });

  it('reports that the destination takes the services routed to it', async () => {
    // Leipzig's Gewerbeamt is routed An-, Um- and Abmeldung (the simulator's default offers the Anmeldung only).
    sim.setOffer({
      publicServices: ['99050012104000', '99050012999001', '99050012999002'].map((key) => ({
        identifier: `urn:de:fim:leika:leistung:${key}`,
        submissionSchemas: [{ schemaUri: 'http://www.xgewerbeanzeige.de/spezifikation/2.2' }],
      })),
      metadataVersions: ['2.1.0'],
    });
    try {
      const report = await checkConfiguration({ configFile: fitCopy.configFile, env: fitEnv });
      expect(report).toContain('configuration ok');
      expect(report).toContain('FIT-Connect destination leipzig-gewerbeamt: takes the 3 service(s) routed to it');
    } finally {
      sim.setOffer();
    }
  });

  it('fails on a service the destination does not offer, naming what it offers', async () => {
    const leipzig = loadConfig({ configFile: fitCopy.configFile, env: fitEnv }).routing.destinations.findIndex(
      (d) => d.id === 'leipzig-gewerbeamt',
    );
    const failure = await checkConfiguration({ configFile: fitCopy.configFile, env: fitEnv }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'invalid-config',
      errors: [
        { pointer: `/destinations/${leipzig}`, code: 'service-not-offered' },
        { pointer: `/destinations/${leipzig}`, code: 'service-not-offered' },
      ],
    });
    expect((failure as Error).message).toContain(
      'FIT-Connect destination leipzig-gewerbeamt, service 99050012999001: it does not offer the service ' +
        'urn:de:fim:leika:leistung:99050012999001 (it offers: urn:de:fim:leika:leistung:99050012104000)',
    );
  });

  it('reports a destination it cannot read as not checked, and does not fail for it', async () => {
    // (the default offer would fail the check: the answer that never comes is what is tested)
    sim.failNext({ method: 'GET', path: /\/destinations\//, status: 503, times: 1 });
    const report = await checkConfiguration({ configFile: fitCopy.configFile, env: fitEnv });
    expect(report).toContain('configuration ok');
    expect(report).toContain(
      'warning: FIT-Connect destination leipzig-gewerbeamt not checked: its delivery service cannot be read now (fitconnect-destination-http-503)',
    );
  });
});

describe('config check of the inbound mappings (FIT-Connect)', () => {
  let inboundCopy: ConfigCopy;
  let inboundEnv: NodeJS.ProcessEnv;
  let inboundData: string;
  beforeAll(() => {
    inboundCopy = copyConfig({ copyMappings: true });
    inboundData = mkdtempSync(join(tmpdir(), 'amtsbote-config-check-inbound-'));
    inboundEnv = { ...process.env, AMTSBOTE_DATA_DIR: inboundData };
    delete inboundEnv.AMTSBOTE_DATABASE_URL;
  });
  afterAll(() => {
    inboundCopy.remove();
    rmSync(inboundData, { recursive: true, force: true });
  });

  it('loads them as the pick-up does and names the data schemas they take', async () => {
    const report = await checkConfiguration({ configFile: inboundCopy.configFile, env: inboundEnv });
    expect(report).toContain(
      'inbound mappings (FIT-Connect): 2 — https://amtsbote.dev/schemas/services/hundesteuer-anmeldung/1.json ' +
        '(application/json), urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2 (application/xml)',
    );
  });

  it('fails on a mapping the pick-up would refuse, with the file and the pointer', async () => {
    const file = join(inboundCopy.mappingsDir, 'inbound', 'broken.yaml');
    writeFileSync(
      file,
      'schemaUri: urn:example\nmimeType: application/json\nproduces:\n  - service: "99999999999999"\n    data: $\n',
    );
    const failure = await checkConfiguration({ configFile: inboundCopy.configFile, env: inboundEnv }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      code: 'invalid-config',
      errors: [{ pointer: '/produces/0/service' }],
      extensions: { file },
    });
  });
});
