/**
 * The catalogue of services (issue 25): each configured service with its source — imported from a FIM
 * Stammdatenschema (id and version, read from its data schema's `x-fim-id`/`x-fim-version`) or hand-made —
 * its standard, and the destinations the routing in force sends each region's cases to now. Pure: the
 * portal API and the admin API call it with the configuration and routing they hold.
 */
import type { LoadedService } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';
import { resolveRoute } from './resolve.js';

export type ServiceSource = { kind: 'fim'; id: string; version?: string } | { kind: 'hand-made' };

export interface CatalogueRegion {
  region: string;
  destinations: { id: string; name: string; deferred: boolean }[];
}

export interface CatalogueEntry {
  key: string;
  name: string;
  source: ServiceSource;
  standard?: { name: string; versions: string[] };
  regions: CatalogueRegion[];
}

export function serviceSource(service: Pick<LoadedService, 'dataSchema'>): ServiceSource {
  const id = service.dataSchema['x-fim-id'];
  const version = service.dataSchema['x-fim-version'];
  if (typeof id !== 'string') return { kind: 'hand-made' };
  return typeof version === 'string' ? { kind: 'fim', id, version } : { kind: 'fim', id };
}

/** Regions as the rules name them (a prefix of an ARS covers the regions below it), sorted. */
export function serviceCatalogue(services: Iterable<LoadedService>, routing: Routing, at: Date): CatalogueEntry[] {
  return [...services]
    .map(({ definition, dataSchema }) => {
      const regions = [...new Set(routing.rules.filter((r) => r.service === definition.key).map((r) => r.region))]
        .sort()
        .map((region) => {
          const resolution = resolveRoute(routing, definition.key, region, at);
          const deferred = resolution.deferred?.destinations ?? [];
          return {
            region,
            destinations: [
              ...resolution.destinations.map((d) => ({ id: d.id, name: d.name, deferred: false })),
              ...deferred.map((d) => ({ id: d.id, name: d.name, deferred: true })),
            ],
          };
        })
        .filter((r) => r.destinations.length > 0);
      return {
        key: definition.key,
        name: definition.name,
        source: serviceSource({ dataSchema }),
        ...(definition.standard
          ? { standard: { name: definition.standard.name, versions: definition.standard.versions } }
          : {}),
        regions,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
}
