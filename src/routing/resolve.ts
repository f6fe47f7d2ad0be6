import type { Destination, Routing, RoutingRule } from '../config/routing-schema.js';
import { inWindow } from '../config/rule-validity.js';
import { waitDurationMs } from '../config/wait-duration.js';

export interface ConsideredRule {
  index: number;
  service: string;
  region: string;
  outcome: 'matched' | 'less specific' | 'not valid at this time' | 'other region' | 'other service';
}

export interface Resolution {
  destinations: Destination[];
  /**
   * Destinations that wait for `after` to accept (enabled ones only), at most `maxWaitMs` from receipt; then
   * `onTimeout` decides.
   */
  deferred?:
    { after: string; destinations: Destination[]; maxWaitMs: number; onTimeout: 'release' | 'dead-letter' } | undefined;
  /** Index of the rule that decided, if any. */
  rule?: number | undefined;
  /** Why these destinations: the rule that matched and why each other rule for the service lost. */
  explanation: {
    summary: string;
    code: 'matched' | 'no-rule';
    params: ExplanationParams;
    considered: ConsideredRule[];
    skippedDisabled: string[];
  };
}

/** What the summary says, as values: a client renders `code` with these in its own language. */
export interface ExplanationParams {
  service: string;
  region: string;
  at: string;
  /** The index of the deciding rule (0-based, as in `/rules/<index>`). */
  rule?: number;
  destinations?: string[];
}

/**
 * (service key × region key × time) → destinations. Pure: no I/O, no clock. Of the rules for the service
 * whose region prefix covers the region key and whose validity includes `at`, the most specific (longest
 * prefix) wins; validation has ruled out ties. Disabled destinations are skipped.
 */
export function resolveRoute(routing: Routing, serviceKey: string, regionKey: string, at: Date): Resolution {
  const atMs = at.getTime();
  const candidates: { index: number; rule: RoutingRule }[] = [];
  const considered: ConsideredRule[] = [];
  routing.rules.forEach((rule, index) => {
    if (rule.service !== serviceKey) return;
    const entry = { index, service: rule.service, region: rule.region };
    if (!regionKey.startsWith(rule.region)) considered.push({ ...entry, outcome: 'other region' });
    else if (!inWindow(rule, atMs)) considered.push({ ...entry, outcome: 'not valid at this time' });
    else candidates.push({ index, rule });
  });
  candidates.sort((a, b) => b.rule.region.length - a.rule.region.length);
  const winner = candidates[0];
  for (const c of candidates) {
    considered.push({
      index: c.index,
      service: c.rule.service,
      region: c.rule.region,
      outcome: c === winner ? 'matched' : 'less specific',
    });
  }
  considered.sort((a, b) => a.index - b.index);
  if (!winner) {
    return {
      destinations: [],
      explanation: {
        summary: `no rule for service ${serviceKey} covers region ${regionKey} at ${at.toISOString()}`,
        code: 'no-rule',
        params: { service: serviceKey, region: regionKey, at: at.toISOString() },
        considered,
        skippedDisabled: [],
      },
    };
  }
  const byId = new Map(routing.destinations.map((d) => [d.id, d]));
  const named = winner.rule.destinations.map((id) => byId.get(id)).filter((d): d is Destination => d !== undefined);
  const skippedDisabled = named.filter((d) => !d.enabled).map((d) => d.id);
  const deferredNamed = (winner.rule.deferred?.destinations ?? [])
    .map((id) => byId.get(id))
    .filter((d): d is Destination => d !== undefined && d.enabled);
  return {
    destinations: named.filter((d) => d.enabled),
    deferred:
      winner.rule.deferred && deferredNamed.length > 0
        ? {
            after: winner.rule.deferred.after,
            destinations: deferredNamed,
            maxWaitMs: waitDurationMs(winner.rule.deferred.maxWait),
            onTimeout: winner.rule.deferred.onTimeout,
          }
        : undefined,
    rule: winner.index,
    explanation: {
      summary: `rule ${winner.index} (service ${winner.rule.service}, region ${winner.rule.region}) → ${winner.rule.destinations.join(', ')}`,
      code: 'matched',
      params: {
        service: winner.rule.service,
        region: winner.rule.region,
        at: at.toISOString(),
        rule: winner.index,
        destinations: winner.rule.destinations,
      },
      considered,
      skippedDisabled,
    },
  };
}
