import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitConnectDirectories, type FitConnectDirectories } from '../../src/adapters/fitconnect/index.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import {
  type FitConnectDestination,
  isFitConnectDestination,
  submissionSchemaFor,
  wantedData,
} from '../../src/intake/fitconnect-offer.js';
import { loadXoev, type Xoev } from '../../src/xoev/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { fitConnectDestination, secretEnv } from '../helpers/fitconnect.js';
import { projectRoot } from '../helpers/paths.js';

/**
 * What intake sends a FIT-Connect destination is known from routing and mapping (wantedData), and the destination's
 * cached description decides it (submissionSchemaFor): the schema it offers, 422 when it would reject, 503 when it
 * was never read and no schema is configured.
 */
let config: LoadedConfig;
let xoev: Xoev;
let sim: FitConnectSimulator;
let directories: FitConnectDirectories;
beforeAll(async () => {
  config = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });
  xoev = loadXoev(config.paths);
  sim = await startFitConnectSimulator();
  process.env[secretEnv] = sim.clientSecret;
});
afterAll(async () => {
  xoev.close();
  await directories.close();
  await sim.close();
  Reflect.deleteProperty(process.env, secretEnv);
});
const fresh = () => {
  directories = fitConnectDirectories({
    outbound: { allowLoopback: true, allowLinkLocal: false },
    configDir: '.',
    now: () => new Date(),
  });
  return { fitConnect: directories, config, xoev };
};
const asFitConnect = (destination: ReturnType<typeof fitConnectDestination>): FitConnectDestination => {
  if (!isFitConnectDestination(destination)) throw new Error('not a FIT-Connect destination');
  return destination;
};

describe('wantedData', () => {
  it("XÖV: the message's namespace first, then the schema set; JSON: the JSON Schema's $id", () => {
    const gewerbe = asFitConnect(fitConnectDestination(sim));
    expect(wantedData(config, xoev, gewerbe, '99050012104000')).toEqual({
      mediaType: 'application/xml',
      standard: 'xgewerbeanzeige',
      version: '2.2',
      message: 'alg.gewerbemeldung.0300',
      uris: ['http://www.xgewerbeanzeige.de/spezifikation/2.2', 'amtsbote-profile:xgewerbeanzeige/2.2'],
    });
    const hund = fitConnectDestination(
      sim,
      'fit-hund',
      {},
      {
        standard: { name: 'json', version: '1', message: 'hundesteuer.anmeldung' },
      },
    );
    expect(wantedData(config, xoev, hund, '99102013104000')).toEqual({
      mediaType: 'application/json',
      standard: 'json',
      version: '1',
      message: 'hundesteuer.anmeldung',
      uris: ['https://amtsbote.dev/schemas/services/hundesteuer-anmeldung/1.json'],
    });
  });
});

describe('submissionSchemaFor', () => {
  it('names the schema the destination offers when none is configured', async () => {
    sim.setOffer();
    const destination = asFitConnect(fitConnectDestination(sim, 'fit', { submissionSchemaUri: undefined }));
    await expect(submissionSchemaFor(fresh(), destination, '99050012104000')).resolves.toEqual({
      schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      mimeType: 'application/xml',
    });
    await directories.close();
  });

  it('refuses a service the destination does not offer with destination-does-not-accept and its reasons', async () => {
    sim.setOffer({ publicServices: [], metadataVersions: ['2.1.0'] });
    const destination = asFitConnect(fitConnectDestination(sim));
    const refused = await submissionSchemaFor(fresh(), destination, '99050012104000').catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'destination-does-not-accept',
      extensions: { destinationId: 'fit', reasons: ['service-not-offered'] },
      errors: [{ pointer: '/serviceKey', code: 'service-not-offered' }],
    });
    expect((refused as Error).message).toContain('does not offer the service urn:de:fim:leika:leistung:99050012104000');
    // The portal learns what is not taken, not what the destination offers instead.
    expect((refused as Error).message).not.toContain('it offers');
    sim.setOffer();
    await directories.close();
  });

  it('a destination never read: the configured schema if there is one, else 503 unavailable with Retry-After', async () => {
    const down = { tokenUrl: 'http://127.0.0.1:9/token', submissionApiUrl: 'http://127.0.0.1:9/submission-api' };
    const configured = asFitConnect(fitConnectDestination(sim, 'fit', down));
    await expect(submissionSchemaFor(fresh(), configured, '99050012104000')).resolves.toEqual({
      schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      mimeType: 'application/xml',
    });
    await directories.close();
    const unconfigured = asFitConnect(fitConnectDestination(sim, 'fit', { ...down, submissionSchemaUri: undefined }));
    await expect(submissionSchemaFor(fresh(), unconfigured, '99050012104000')).rejects.toMatchObject({
      code: 'unavailable',
      extensions: { destinationId: 'fit', retryAfter: 10 },
    });
  });
});
