import type { Destination, Routing } from '../config/routing-schema.js';

export interface Resolution {
  destinations: Destination[];
  /** Why these destinations: the rule that matched, or why none did. */
  explanation: string;
}

/**
 * (service key × region key) → destinations. Pure: no I/O, no clock. Exact matches only for now;
 * a rule whose destinations are all disabled routes nowhere.
 */
export function resolveRoute(routing: Routing, serviceKey: string, regionKey: string): Resolution {
  const index = routing.rules.findIndex((r) => r.service === serviceKey && r.region === regionKey);
  const rule = routing.rules[index];
  if (!rule) {
    return { destinations: [], explanation: `no rule for service ${serviceKey} in region ${regionKey}` };
  }
  const byId = new Map(routing.destinations.map((d) => [d.id, d]));
  const named = rule.destinations.map((id) => byId.get(id)).filter((d): d is Destination => d !== undefined);
  const destinations = named.filter((d) => d.enabled);
  const disabled = named.filter((d) => !d.enabled).map((d) => d.id);
  const explanation =
    `rule ${index} (service ${rule.service}, region ${rule.region}) → ${rule.destinations.join(', ')}` +
    (disabled.length > 0 ? `; disabled and skipped: ${disabled.join(', ')}` : '');
  return { destinations, explanation };
}
