import type { Routing, RoutingRule } from '../config/routing-schema.js';

export interface RoutingDiff {
  destinations: { added: string[]; removed: string[]; changed: string[] };
  rules: { added: RoutingRule[]; removed: RoutingRule[]; changed: { before: RoutingRule; after: RoutingRule }[] };
}

/** A rule is the same rule when service, region and start of validity are: everything else is a change to it. */
export function ruleIdentity(rule: RoutingRule): string {
  return `${rule.service}|${rule.region}|${rule.validFrom ?? ''}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed between two routing documents, by destination id and rule identity (not by array position). */
export function diffRouting(before: Routing, after: Routing): RoutingDiff {
  const beforeDest = new Map(before.destinations.map((d) => [d.id, d]));
  const afterDest = new Map(after.destinations.map((d) => [d.id, d]));
  const beforeRules = new Map(before.rules.map((r) => [ruleIdentity(r), r]));
  const afterRules = new Map(after.rules.map((r) => [ruleIdentity(r), r]));
  return {
    destinations: {
      added: [...afterDest.keys()].filter((id) => !beforeDest.has(id)),
      removed: [...beforeDest.keys()].filter((id) => !afterDest.has(id)),
      changed: [...afterDest.keys()].filter((id) => beforeDest.has(id) && !same(beforeDest.get(id), afterDest.get(id))),
    },
    rules: {
      added: [...afterRules.entries()].filter(([k]) => !beforeRules.has(k)).map(([, r]) => r),
      removed: [...beforeRules.entries()].filter(([k]) => !afterRules.has(k)).map(([, r]) => r),
      changed: [...afterRules.entries()]
        .filter(([k, r]) => beforeRules.has(k) && !same(beforeRules.get(k), r))
        .map(([k, r]) => ({ before: beforeRules.get(k) as RoutingRule, after: r })),
    },
  };
}

export function isEmptyDiff(diff: RoutingDiff): boolean {
  return (
    Object.values(diff.destinations).every((l) => l.length === 0) &&
    Object.values(diff.rules).every((l) => l.length === 0)
  );
}

/** What the audit log keeps of a change: ids and rule identities; the full documents are in the version history. */
export function diffSummary(diff: RoutingDiff) {
  return {
    destinations: diff.destinations,
    rules: {
      added: diff.rules.added.map(ruleIdentity),
      removed: diff.rules.removed.map(ruleIdentity),
      changed: diff.rules.changed.map((c) => ruleIdentity(c.after)),
    },
  };
}
