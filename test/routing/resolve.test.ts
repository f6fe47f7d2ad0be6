import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveRoute } from '../../src/routing/resolve.js';
import { projectRoot } from '../helpers/paths.js';
import { join } from 'node:path';

const { routing } = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });

describe('resolveRoute', () => {
  it('finds the destinations of an exact (service, region) rule and explains why', () => {
    const result = resolveRoute(routing, '99050012104000', '146120000000');
    expect(result.destinations.map((d) => d.id)).toEqual(['dresden-gewerbeamt', 'statistik-sachsen']);
    expect(result.explanation).toContain('146120000000');
  });

  it('routes nowhere without a rule, and skips disabled destinations', () => {
    expect(resolveRoute(routing, '99050012104000', '146270000000').destinations).toEqual([]);
    const disabled = { ...routing, destinations: routing.destinations.map((d) => (d.id === 'statistik-sachsen' ? { ...d, enabled: false } : d)) };
    const result = resolveRoute(disabled, '99050012104000', '146120000000');
    expect(result.destinations.map((d) => d.id)).toEqual(['dresden-gewerbeamt']);
    expect(result.explanation).toContain('disabled and skipped: statistik-sachsen');
  });
});
