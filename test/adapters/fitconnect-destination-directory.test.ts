import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fitconnectAdapterConfigSchema } from '../../src/adapters/fitconnect/config.js';
import {
  DestinationUnavailable,
  fitConnectDirectories,
  type FitConnectDirectories,
} from '../../src/adapters/fitconnect/destination-directory.js';
import { parseDestinationInfo } from '../../src/adapters/fitconnect/destination-info.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { secretEnv } from '../helpers/fitconnect.js';

let sim: FitConnectSimulator;
let directories: FitConnectDirectories;
let now = Date.parse('2026-12-07T10:00:00Z');
const config = (extra: Record<string, unknown> = {}) =>
  fitconnectAdapterConfigSchema.parse({
    kind: 'fitconnect',
    tokenUrl: sim.tokenUrl,
    submissionApiUrl: sim.submissionApiUrl,
    clientId: sim.clientId,
    clientSecret: `env:${secretEnv}`,
    destinationId: sim.destinationId,
    submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
    destinationRefreshSeconds: 60,
    ...extra,
  });
const infoReads = () =>
  sim.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/destinations/${sim.destinationId}`));

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  process.env[secretEnv] = sim.clientSecret;
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await directories.close();
});

describe('FIT-Connect destination directory', () => {
  it('reads the destination with the sender token once, and serves the cache until it is stale', async () => {
    directories = fitConnectDirectories({
      outbound: { allowLoopback: true, allowLinkLocal: false },
      configDir: '.',
      now: () => new Date(now),
    });
    const directory = directories.directoryFor(config());
    expect(directories.directoryFor(config())).toBe(directory);
    const before = infoReads().length;
    const info = await directory.info();
    expect(info).toMatchObject({ status: 'active', metadataVersions: ['2.1.0'] });
    expect(typeof info.encryptionKid).toBe('string');
    await directory.info();
    expect(infoReads().length - before).toBe(1);
    expect(infoReads().at(-1)?.status).toBe(200);

    // Stale: the cached info answers at once and a refresh runs in the background.
    now += 61_000;
    sim.setDestinationStatus('inactive');
    expect((await directory.info()).status).toBe('active');
    await expect.poll(async () => (await directory.info()).status, { timeout: 5000 }).toBe('inactive');
    sim.setDestinationStatus('active');
    expect((await directory.refresh()).status).toBe('active');
    expect(directory.status()).toMatchObject({
      destinationId: sim.destinationId,
      fetchedAt: new Date(now).toISOString(),
    });
  });

  it('keeps the cached info when a refresh fails, and names the reason when there is none', async () => {
    directories = fitConnectDirectories({
      outbound: { allowLoopback: true, allowLinkLocal: false },
      configDir: '.',
      now: () => new Date(now),
    });
    const directory = directories.directoryFor(config());
    await directory.info();
    sim.failNext({ method: 'GET', path: /\/destinations\/[^/]+$/, status: 503, times: 1 });
    await expect(directory.refresh()).rejects.toMatchObject({ reason: 'fitconnect-destination-http-503' });
    expect((await directory.info()).status).toBe('active');
    expect(directory.status().lastError).toBe('fitconnect-destination-http-503');

    const unknown = directories.directoryFor(config({ destinationId: '6f1b5a52-8d6e-4c1e-9f43-0a4f3f0e2b11' }));
    const error = await unknown.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationUnavailable);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'fitconnect-destination-http-404' });
    // Not asked again at once: a down or wrong destination is not hammered on every request.
    const reads = sim.requests.length;
    await expect(unknown.info()).rejects.toMatchObject({ reason: 'fitconnect-destination-http-404' });
    expect(sim.requests.length).toBe(reads);
  });

  it('refuses an unusable secret as a typed reason, without a request to the token endpoint', async () => {
    directories = fitConnectDirectories({
      outbound: { allowLoopback: true, allowLinkLocal: false },
      configDir: '.',
      now: () => new Date(now),
    });
    const directory = directories.directoryFor(config({ clientSecret: 'env:AMTSBOTE_TEST_NO_SUCH_SECRET' }));
    await expect(directory.info()).rejects.toMatchObject({ reason: 'fitconnect-client-secret-unavailable' });
  });
});

describe('destination info', () => {
  it('reads v2 publicServices and v1 services alike, and refuses what is not a destination', () => {
    const offered = [
      {
        identifier: 'urn:de:fim:leika:leistung:99050012104000',
        submissionSchemas: [{ schemaUri: 'urn:x', mimeType: 'application/xml' }],
      },
    ];
    expect(
      parseDestinationInfo(
        JSON.stringify({ status: 'active', encryptionKid: 'k1', publicServices: offered, extra: 1 }),
      ),
    ).toEqual({
      status: 'active',
      encryptionKid: 'k1',
      metadataVersions: undefined,
      publicServices: offered,
    });
    expect(parseDestinationInfo(JSON.stringify({ status: 'active', services: offered }))?.publicServices).toEqual(
      offered,
    );
    expect(parseDestinationInfo('{"name":"no status"}')).toBeUndefined();
    expect(parseDestinationInfo('<html>')).toBeUndefined();
  });
});
