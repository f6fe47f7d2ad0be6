import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { routingSchema } from '../../src/config/routing-schema.js';
import { projectRoot } from '../helpers/paths.js';

/** The demo routing with Leipzig's Gewerbeamt turned into a FIT-Connect destination (edited per test). */
function routingWith(adapter: Record<string, unknown>, destination: Record<string, unknown> = {}) {
  const routing = parse(readFileSync(join(projectRoot, 'config/routing.yaml'), 'utf8')) as {
    destinations: Record<string, unknown>[];
    rules: Record<string, unknown>[];
  };
  const index = routing.destinations.findIndex((d) => d.id === 'leipzig-gewerbeamt');
  routing.destinations[index] = {
    ...routing.destinations[index],
    adapter: {
      kind: 'fitconnect',
      tokenUrl: 'https://auth-testing.fit-connect.fitko.dev/token',
      submissionApiUrl: 'https://test.fit-connect.fitko.dev/submission-api',
      clientId: 'amtsbote-test',
      clientSecret: 'env:FITCONNECT_CLIENT_SECRET',
      destinationId: '0c438057-ec3e-4ce0-b154-1683b5d3c2e8',
      submissionSchemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
      ...adapter,
    },
    sealing: 'fitconnect',
    ...destination,
  };
  return { routing, index };
}

const issues = (document: unknown) => {
  const parsed = routingSchema.safeParse(document);
  return parsed.success ? [] : parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`);
};

describe('fitconnect adapter config (validated when routing is loaded)', () => {
  it('takes a complete config and fills in the defaults', () => {
    const { routing, index } = routingWith({});
    const parsed = routingSchema.parse(routing);
    expect(parsed.destinations[index]?.adapter).toMatchObject({
      kind: 'fitconnect',
      apiVersion: 'v2',
      pollSeconds: 60,
      timeoutMs: 15_000,
      dataAttachmentAboveBytes: 10_000_000,
    });
  });

  it('takes a threshold for data as a purpose data attachment, a whole number of bytes from 0', () => {
    const { routing, index } = routingWith({ dataAttachmentAboveBytes: 0 });
    expect(routingSchema.parse(routing).destinations[index]?.adapter).toMatchObject({ dataAttachmentAboveBytes: 0 });
    for (const wrong of [-1, 1.5, '10MB']) {
      expect(issues(routingWith({ dataAttachmentAboveBytes: wrong }).routing)).toEqual([
        expect.stringMatching(new RegExp(`^/destinations/${index}/adapter/dataAttachmentAboveBytes: `)),
      ]);
    }
  });

  it('refuses an inlined client secret, a destination id that is no UUID and an unknown API version', () => {
    const { routing, index } = routingWith({
      clientSecret: 'the-secret-itself',
      destinationId: 'leipzig',
      apiVersion: 'v3',
    });
    expect(issues(routing)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/destinations/${index}/adapter/clientSecret: must be a reference`)),
        expect.stringMatching(new RegExp(`^/destinations/${index}/adapter/destinationId: `)),
        expect.stringMatching(new RegExp(`^/destinations/${index}/adapter/apiVersion: `)),
      ]),
    );
  });

  it('refuses FIT-Connect sealing without the fitconnect adapter, and the adapter with another sealing', () => {
    const { routing, index } = routingWith({}, { sealing: 'amtsbote-sealed/1' });
    expect(issues(routing)).toEqual([
      `/destinations/${index}/sealing: sealing "fitconnect" goes with adapter kind "fitconnect", and only with it`,
    ]);
    const other = routingWith({}, { adapter: { kind: 'file', directory: 'outbox/x' } });
    expect(issues(other.routing)).toEqual([
      `/destinations/${other.index}/sealing: sealing "fitconnect" goes with adapter kind "fitconnect", and only with it`,
    ]);
  });

  it('takes a FIT-Connect destination as a deferred one (sealed later from the escrow copy)', () => {
    const { routing } = routingWith({});
    routing.rules.push({
      service: '99050012104000',
      region: '14713',
      destinations: ['statistik-sachsen'],
      deferred: { after: 'statistik-sachsen', destinations: ['leipzig-gewerbeamt'] },
    });
    expect(issues(routing)).toEqual([]);
  });
});
