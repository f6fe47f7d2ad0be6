import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadXoev, validateXml, type Xoev } from '../../src/xoev/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getJson, postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

// Dresden's Gewerbeanmeldung goes to the Gewerbeamt and the statistical office; here the statistical office
// still takes XGewerbeanzeige 2.1 while the Gewerbeamt takes 2.2.
let copy: ConfigCopy;
let gw: TestGateway;
let xoev: Xoev;
beforeAll(async () => {
  copy = copyConfig({ standards: { 'statistik-sachsen': { version: '2.1' } } });
  gw = await startTestGateway({ configFile: copy.configFile });
  xoev = loadXoev(gw.config.paths);
});
afterAll(async () => {
  xoev.close();
  await gw.stop();
  copy.remove();
});

const privateKey = (destinationId: string) =>
  JSON.parse(
    readFileSync(
      join(projectRoot, `config/demo/${destinationId}.encryption.private-jwk.DEVELOPMENT-ONLY.json`),
      'utf8',
    ),
  ) as Record<string, unknown>;

describe('standard versions side by side', () => {
  it('delivers one submission as a valid 2.2 message to one destination and a valid 2.1 message to the other', async () => {
    const example = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
    const accepted = await postJson(gw.url, '/v1/submissions', example.envelope);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const expected = {
      'dresden-gewerbeamt': { version: '2.2', root: 'alg.gewerbemeldung.0300' },
      'statistik-sachsen': { version: '2.1', root: 'sta.gewerbemeldung.0100' },
    } as const;
    const destinations = accepted.body.destinations as { destinationId: keyof typeof expected; messageId: string }[];
    expect(destinations.map((d) => d.destinationId).sort()).toEqual(Object.keys(expected));
    for (const { destinationId, messageId } of destinations) {
      const { version, root } = expected[destinationId];
      const stored = await gw.store.getSealedMessage(messageId);
      const opened = await openSealedMessage(stored!.body, {
        recipientKeys: [privateKey(destinationId)],
        gatewayJwks: jwks,
        expectedDestinationId: destinationId,
      });
      const xml = opened.data.toString('utf8');
      expect(xml).toContain(`<xga:${root} xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/${version}"`);
      expect(opened.metadata.standard).toEqual({
        name: 'xgewerbeanzeige',
        version,
        message: root,
        schemaSet: `amtsbote-profile:xgewerbeanzeige/${version}`,
      });
      // Valid against its own version's profile, and not against the other's.
      expect(validateXml(xoev.schemaSets.get(`xgewerbeanzeige/${version}`)!, xml).valid).toBe(true);
      expect(validateXml(xoev.schemaSets.get(`xgewerbeanzeige/${version === '2.1' ? '2.2' : '2.1'}`)!, xml).valid).toBe(
        false,
      );
    }
  });

  it('lists in GET /v1/services which versions each service can produce, for at least nine services', async () => {
    const res = await getJson(gw.url, '/v1/services');
    const services = res.body.services as {
      key: string;
      produces: { standard: string; version: string; mediaType: string; messages: string[] }[];
    }[];
    expect(services.length).toBeGreaterThanOrEqual(9);
    const anmeldung = services.find((s) => s.key === '99050012104000')!;
    expect(anmeldung.produces.map((p) => `${p.standard} ${p.version}`).sort()).toEqual([
      'xgewerbeanzeige 2.1',
      'xgewerbeanzeige 2.2',
    ]);
    expect(anmeldung.produces[0]?.messages).toContain('sta.gewerbemeldung.0100');
    const parking = services.find((s) => s.key === '99108001001000')!;
    expect(parking.produces).toEqual([
      { standard: 'json', version: '1', mediaType: 'application/json', messages: ['bewohnerparkausweis.antrag'] },
    ]);
    expect(services.every((s) => s.produces.length > 0)).toBe(true);
  });
});
