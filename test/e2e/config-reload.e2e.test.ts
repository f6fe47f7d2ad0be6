import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { adminCall, adminTokens, getJson, postJson } from '../helpers/http.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue } from '../helpers/wait.js';

// A service dropped in as three files — definition, data schema, mapping — into a running gateway that
// has its own copy of config/ and mappings/. No build, no restart.
const key = '99000000000042';
const service = `key: "${key}"
name: Sperrmüll-Anmeldung (Test-Drop-in)
leikaSource: "NOT CONFIRMED: a test fixture's placeholder key"
dataSchema: sperrmuell.schema.json
standard: { name: json, versions: ["1"] }
assertions:
  - { test: "pickupDate > $today()", pointer: /data/pickupDate, message: "muss in der Zukunft liegen" }
`;
const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://amtsbote.dev/schemas/services/sperrmuell/1.json',
  type: 'object',
  additionalProperties: false,
  required: ['street', 'pickupDate', 'volumeCubicMetres'],
  properties: {
    street: { type: 'string', minLength: 1, maxLength: 55, 'x-din91379': 'B' },
    pickupDate: { type: 'string', format: 'date' },
    volumeCubicMetres: { type: 'number', exclusiveMinimum: 0, maximum: 5 },
  },
};
const mapping = `format: json
standard: json
version: "1"
services: ["${key}"]
messages: [sperrmuell.anmeldung]
schema: ../../../config/services/sperrmuell.schema.json
body: $data
`;

let copy: ConfigCopy;
let gateway: GatewayProcess;
let env: Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-reload-'));
beforeAll(async () => {
  copy = copyConfig({ copyMappings: true });
  env = { AMTSBOTE_CONFIG: copy.configFile, AMTSBOTE_DATA_DIR: dataDir };
  gateway = await spawnGateway(env);
});
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  (copy as ConfigCopy | undefined)?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const readyHash = async () => (await getJson(gateway.url, '/health/ready')).body.configHash as string;
const serviceKeys = async () =>
  ((await getJson(gateway.url, '/v1/services')).body.services as { key: string }[]).map((s) => s.key).sort();
const reload = () =>
  runCli(['config', 'reload', '--url', gateway.url], { ...env, AMTSBOTE_ADMIN_TOKEN: adminTokens.editor });
const submission = {
  serviceKey: key,
  regionKey: '146120000000',
  data: { street: 'Bautzner Straße', pickupDate: '2099-03-02', volumeCubicMetres: 2.5 },
};

describe('adding a service is configuration', () => {
  it('takes a valid drop-in on `amtsbote config reload`, refuses a broken one precisely and keeps the running set, and reloads on SIGHUP', async () => {
    const hashBefore = await readyHash();
    const keysBefore = await serviceKeys();
    expect(keysBefore).not.toContain(key);

    writeFileSync(join(copy.dir, 'services', 'sperrmuell.yaml'), service);
    writeFileSync(join(copy.dir, 'services', 'sperrmuell.schema.json'), JSON.stringify(schema, null, 2));
    writeFileSync(join(copy.mappingsDir, 'json', '1', 'sperrmuell.yaml'), mapping);
    const reloaded = reload();
    expect(reloaded.status, reloaded.stderr).toBe(0);
    const hashAfter = await readyHash();
    expect(hashAfter).not.toBe(hashBefore);
    expect(reloaded.stdout).toContain(hashAfter);
    // it names the gateway it reached
    expect(reloaded.stdout).toContain(`${gateway.url}/admin/v1/config/reload: configuration reloaded`);
    expect(await serviceKeys()).toEqual([...keysBefore, key].sort());

    // Routed like any service: a destination naming the new message, added through the admin API.
    const current = await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor);
    const document = current.body.document as {
      destinations: Record<string, unknown>[];
      rules: Record<string, unknown>[];
    };
    const template = document.destinations.find((d) => d.id === 'dresden-bewohnerparkausweis')!;
    document.destinations.push({
      ...template,
      id: 'dresden-sperrmuell',
      name: 'Landeshauptstadt Dresden, Stadtreinigung (Sperrmüll)',
      standard: { name: 'json', version: '1', message: 'sperrmuell.anmeldung' },
    });
    document.rules.push({ service: key, region: '146120000000', destinations: ['dresden-sperrmuell'] });
    const put = await adminCall(
      gateway.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Sperrmüll-Anmeldung in Dresden', document },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const accepted = await postJson(gateway.url, '/v1/submissions', submission);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const past = await postJson(gateway.url, '/v1/submissions', {
      ...submission,
      data: { ...submission.data, pickupDate: '2020-01-01' },
    });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([{ pointer: '/data/pickupDate', detail: 'muss in der Zukunft liegen' }]);

    // Broken drop-ins: each is refused with file and pointer, and nothing of the running set changes.
    const brokenService = join(copy.dir, 'services', 'broken.yaml');
    writeFileSync(
      brokenService,
      service.replace(`"${key}"`, '"99000000000043"').replace('pickupDate > $today()', 'pickupDate > $today('),
    );
    let refused = reload();
    expect(refused.status).toBe(1);
    // the gateway's verdict, not one of a load in the CLI process
    expect(refused.stderr).toContain(`${gateway.url}/admin/v1/config/reload answered 422`);
    expect(refused.stderr).toContain('broken.yaml');
    expect(refused.stderr).toContain('/assertions/0/test');
    unlinkSync(brokenService);

    const brokenMapping = join(copy.mappingsDir, 'json', '1', 'broken.yaml');
    writeFileSync(
      brokenMapping,
      mapping
        .replace(`["${key}"]`, '["99050012104000"]')
        .replace('schema: ../../../config/services/sperrmuell.schema.json', 'schema: missing.schema.json'),
    );
    refused = reload();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('broken.yaml');
    expect(refused.stderr).toContain('/schema');
    expect(await readyHash()).toBe(hashAfter);
    expect(await serviceKeys()).toEqual([...keysBefore, key].sort());
    expect((await postJson(gateway.url, '/v1/submissions', submission)).status).toBe(202);

    // Taking away a service the routing in force still uses is refused too, naming the rule.
    unlinkSync(brokenMapping);
    unlinkSync(join(copy.dir, 'services', 'sperrmuell.yaml'));
    refused = reload();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/\/rules\/\d+\/service: unknown service 99000000000042/);
    expect(await readyHash()).toBe(hashAfter);
    writeFileSync(join(copy.dir, 'services', 'sperrmuell.yaml'), service);

    // SIGHUP reloads as well: a changed assertion message is in force once the hash has moved.
    writeFileSync(
      join(copy.dir, 'services', 'sperrmuell.yaml'),
      service.replace('muss in der Zukunft liegen', 'muss nach heute liegen'),
    );
    gateway.child.kill('SIGHUP');
    expect(await pollValue(readyHash, (hash) => hash !== hashAfter)).not.toBe(hashAfter);
    const again = await postJson(gateway.url, '/v1/submissions', {
      ...submission,
      data: { ...submission.data, pickupDate: '2020-01-01' },
    });
    expect(again.body.errors).toEqual([{ pointer: '/data/pickupDate', detail: 'muss nach heute liegen' }]);
  });

  it('refuses the reload to a viewer and without a token', async () => {
    expect((await adminCall(gateway.url, 'POST', '/config/reload', adminTokens.viewer)).status).toBe(403);
    expect((await adminCall(gateway.url, 'POST', '/config/reload', adminTokens.leipzigEditor)).status).toBe(403);
    const noToken = runCli(['config', 'reload', '--url', gateway.url], env);
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toContain('AMTSBOTE_ADMIN_TOKEN');
  });
});
