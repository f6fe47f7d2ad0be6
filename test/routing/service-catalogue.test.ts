import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { LoadedService } from '../../src/config/load.js';
import type { Routing } from '../../src/config/routing-schema.js';
import { serviceCatalogue, serviceSource } from '../../src/routing/service-catalogue.js';
import { projectRoot } from '../helpers/paths.js';

const config = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });
const routing = config.routing;
const now = new Date('2026-12-01T10:00:00Z');

describe('the service catalogue', () => {
  const catalogue = serviceCatalogue(config.services.values(), routing, now);

  it('lists every configured service once, by name', () => {
    expect(catalogue.map((s) => s.key).sort()).toEqual([...config.services.keys()].sort());
    expect(catalogue.map((s) => s.name)).toEqual(
      [...catalogue.map((s) => s.name)].sort((a, b) => a.localeCompare(b, 'de')),
    );
  });

  it("names each region's destinations in force, from the routing rules", () => {
    const parking = catalogue.find((s) => s.key === '99108001001000')!;
    expect(parking).toMatchObject({ source: { kind: 'hand-made' }, standard: { name: 'json', versions: ['1'] } });
    expect(parking.regions.map((r) => [r.region, r.destinations.map((d) => d.id)])).toEqual([
      ['145110000000', ['chemnitz-bewohnerparkausweis']],
      ['146120000000', ['dresden-bewohnerparkausweis']],
      ['147130000000', ['leipzig-bewohnerparkausweis']],
    ]);
  });

  it('leaves out a region whose rule is not in force, and marks deferred destinations', () => {
    const rule = routing.rules.find((r) => r.service === '99108001001000' && r.region === '146120000000')!;
    const later: Routing = {
      ...routing,
      rules: routing.rules.map((r) => (r === rule ? { ...r, validFrom: '2027-01-01' } : r)),
    };
    const parking = serviceCatalogue(config.services.values(), later, now).find((s) => s.key === '99108001001000')!;
    expect(parking.regions.map((r) => r.region)).toEqual(['145110000000', '147130000000']);
    const deferredRule = routing.rules.find((r) => r.deferred);
    if (deferredRule) {
      const entry = catalogue.find((s) => s.key === deferredRule.service)!;
      const region = entry.regions.find((r) => r.region === deferredRule.region)!;
      expect(region.destinations.filter((d) => d.deferred).map((d) => d.id)).toEqual(
        expect.arrayContaining(deferredRule.deferred!.destinations),
      );
    }
  });

  it('tells an imported service by its schema: FIM id and version', () => {
    const imported = { dataSchema: { 'x-fim-id': 'S05000058', 'x-fim-version': '1.0' } } as unknown as LoadedService;
    expect(serviceSource(imported)).toEqual({ kind: 'fim', id: 'S05000058', version: '1.0' });
    expect(serviceSource({ dataSchema: { 'x-fim-id': 'S00000009' } })).toEqual({ kind: 'fim', id: 'S00000009' });
    expect(serviceSource({ dataSchema: {} })).toEqual({ kind: 'hand-made' });
  });
});
