import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { routingSchema, type Routing } from '../../src/config/routing-schema.js';
import { resolveRoute } from '../../src/routing/resolve.js';
import { instantMs } from '../../src/config/rule-validity.js';
import { validateRouting } from '../../src/config/validate-routing.js';
import { projectRoot } from '../helpers/paths.js';

const config = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });
const demo = config.routing;
const now = new Date('2026-11-25T12:00:00Z');
const anmeldung = '99050012104000';

/** The demo routing with other rules. */
function withRules(rules: unknown[]): Routing {
  return routingSchema.parse({ destinations: demo.destinations, rules });
}

describe('resolveRoute', () => {
  it('finds the destinations of an exact rule and explains why', () => {
    const result = resolveRoute(demo, anmeldung, '146120000000', now);
    expect(result.destinations.map((d) => d.id)).toEqual(['dresden-gewerbeamt', 'statistik-sachsen']);
    expect(result.explanation.summary).toContain('146120000000');
    expect(result.explanation.considered.filter((c) => c.outcome === 'matched')).toHaveLength(1);
    expect(result.explanation.considered.filter((c) => c.outcome === 'other region').length).toBeGreaterThan(0);
  });

  it('gives the explanation as a code with its values, for a page that says it in its own language', () => {
    const matched = resolveRoute(demo, anmeldung, '146120000000', now);
    expect(matched.explanation).toMatchObject({
      code: 'matched',
      params: {
        service: anmeldung,
        region: '146120000000',
        rule: matched.rule,
        destinations: ['dresden-gewerbeamt', 'statistik-sachsen'],
        at: now.toISOString(),
      },
    });
    const none = resolveRoute(demo, anmeldung, '091620000000', now);
    expect(none.explanation).toMatchObject({
      code: 'no-rule',
      params: { service: anmeldung, region: '091620000000', at: now.toISOString() },
    });
    expect(none.explanation.params.rule).toBeUndefined();
  });

  it('lets the most specific prefix win: municipality over district over state', () => {
    const routing = withRules([
      { service: anmeldung, region: '14', destinations: ['statistik-sachsen'] },
      { service: anmeldung, region: '14713', destinations: ['leipzig-gewerbeamt'] },
      { service: anmeldung, region: '146120000000', destinations: ['dresden-gewerbeamt'] },
    ]);
    expect(resolveRoute(routing, anmeldung, '147130000000', now).destinations.map((d) => d.id)).toEqual([
      'leipzig-gewerbeamt',
    ]);
    expect(resolveRoute(routing, anmeldung, '146120000000', now).destinations.map((d) => d.id)).toEqual([
      'dresden-gewerbeamt',
    ]);
    const chemnitz = resolveRoute(routing, anmeldung, '145110000000', now);
    expect(chemnitz.destinations.map((d) => d.id)).toEqual(['statistik-sachsen']);
    const leipzig = resolveRoute(routing, anmeldung, '147130000000', now);
    expect(leipzig.explanation.considered.map((c) => [c.region, c.outcome])).toEqual([
      ['14', 'less specific'],
      ['14713', 'matched'],
      ['146120000000', 'other region'],
    ]);
  });

  it('evaluates validity windows against the time of receipt, dates at German midnight', () => {
    const routing = withRules([
      { service: anmeldung, region: '145110000000', destinations: ['chemnitz-gewerbeamt'], validUntil: '2027-01-01' },
      { service: anmeldung, region: '145110000000', destinations: ['statistik-sachsen'], validFrom: '2027-01-01' },
    ]);
    const before = resolveRoute(routing, anmeldung, '145110000000', new Date('2026-12-31T22:59:59Z'));
    expect(before.destinations.map((d) => d.id)).toEqual(['chemnitz-gewerbeamt']);
    const after = resolveRoute(routing, anmeldung, '145110000000', new Date('2026-12-31T23:00:00Z'));
    expect(after.destinations.map((d) => d.id)).toEqual(['statistik-sachsen']);
    expect(after.explanation.considered.find((c) => c.outcome === 'not valid at this time')?.index).toBe(0);
    expect(instantMs('2027-07-01')).toBe(Date.parse('2027-06-30T22:00:00Z'));
  });

  it('routes nowhere for an unknown service or uncovered region, and skips disabled destinations', () => {
    expect(resolveRoute(demo, '99999999999999', '146120000000', now).destinations).toEqual([]);
    const none = resolveRoute(demo, anmeldung, '146270000000', now);
    expect(none.destinations).toEqual([]);
    expect(none.rule).toBeUndefined();
    const disabled = {
      ...demo,
      destinations: demo.destinations.map((d) => (d.id === 'statistik-sachsen' ? { ...d, enabled: false } : d)),
    };
    const result = resolveRoute(disabled, anmeldung, '146120000000', now);
    expect(result.destinations.map((d) => d.id)).toEqual(['dresden-gewerbeamt']);
    expect(result.explanation.skippedDisabled).toEqual(['statistik-sachsen']);
  });
});

describe('validateRouting', () => {
  const services = new Set(config.services.keys());
  it('refuses ties: equally specific rules whose validity overlaps', () => {
    const result = validateRouting(
      {
        destinations: demo.destinations,
        rules: [
          { service: anmeldung, region: '14713', destinations: ['leipzig-gewerbeamt'], validUntil: '2027-02-01' },
          { service: anmeldung, region: '14713', destinations: ['statistik-sachsen'], validFrom: '2027-01-01' },
        ],
      },
      services,
      config.fileDropRoot,
    );
    const first = 'errors' in result ? result.errors[0] : undefined;
    expect(first?.pointer).toBe('/rules/1/region');
    expect(first?.detail).toContain('ties with rule 0');
    const adjacent = validateRouting(
      {
        destinations: demo.destinations,
        rules: [
          { service: anmeldung, region: '14713', destinations: ['leipzig-gewerbeamt'], validUntil: '2027-01-01' },
          { service: anmeldung, region: '14713', destinations: ['statistik-sachsen'], validFrom: '2027-01-01' },
        ],
      },
      services,
      config.fileDropRoot,
    );
    expect('routing' in adjacent).toBe(true);
  });

  it('refuses unknown services, malformed regions, reversed windows — with pointers', () => {
    const result = validateRouting(
      {
        destinations: demo.destinations,
        rules: [{ service: '99999999999999', region: '14', destinations: ['leipzig-gewerbeamt'] }],
      },
      services,
      config.fileDropRoot,
    );
    expect('errors' in result && result.errors).toEqual([
      {
        pointer: '/rules/0/service',
        detail: 'unknown service 99999999999999',
        code: 'unknown-service',
        params: { service: '99999999999999' },
      },
    ]);
    const shape = validateRouting(
      {
        destinations: demo.destinations,
        rules: [
          {
            service: anmeldung,
            region: '1471X',
            destinations: ['leipzig-gewerbeamt'],
            validFrom: '2027-02-01',
            validUntil: '2027-01-01',
          },
        ],
      },
      services,
      config.fileDropRoot,
    );
    const pointers = 'errors' in shape ? shape.errors.map((e) => e.pointer) : [];
    expect(pointers).toEqual(expect.arrayContaining(['/rules/0/region']));
  });
});
