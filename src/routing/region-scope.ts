import type { Routing, RoutingRule } from '../config/routing-schema.js';
import type { FieldError } from '../lib/errors.js';
import { diffRouting, ruleIdentity } from './diff.js';

/** A rule lies within an admin's regions when its region is one of them or more specific. */
export function ruleWithin(region: string, scopes: readonly string[]): boolean {
  return scopes.some((scope) => region.startsWith(scope));
}

/**
 * Every destination a rule names: its direct destinations (the deferred trigger `after` is one of them)
 * and its deferred ones. A deferred destination receives the region's cases as surely as a direct one.
 */
export function destinationsOfRule(rule: RoutingRule): string[] {
  return [...rule.destinations, ...(rule.deferred ? [rule.deferred.after, ...rule.deferred.destinations] : [])];
}

/**
 * Destinations a region-limited admin may not change: those that a rule outside their regions names, in
 * any of the given documents (before and after a change) — whoever edits a destination decides where the
 * cases of every rule naming it go and to whose key they are sealed.
 */
export function destinationsOutsideScope(documents: readonly Routing[], scopes: readonly string[]): Set<string> {
  return new Set(
    documents
      .flatMap((d) => d.rules)
      .filter((r) => !ruleWithin(r.region, scopes))
      .flatMap(destinationsOfRule),
  );
}

/**
 * What a region-limited editor changed outside its regions: rules whose region is not within them, and
 * destinations (any of their fields) that a rule outside them names, directly or deferred, before or
 * after — Leipzig's editor must not redirect Dresden's cases by editing a destination they share, nor one
 * that only Dresden's deferred distribution uses. Empty: the change is within scope.
 */
export function changesOutsideScope(before: Routing, after: Routing, scopes: readonly string[]): FieldError[] {
  const diff = diffRouting(before, after);
  const errors: FieldError[] = [];
  const afterIndex = new Map(after.rules.map((r, i) => [ruleIdentity(r), i]));
  for (const rule of [...diff.rules.added, ...diff.rules.changed.map((c) => c.after)]) {
    if (!ruleWithin(rule.region, scopes)) {
      errors.push({
        pointer: `/rules/${afterIndex.get(ruleIdentity(rule)) ?? 0}/region`,
        detail: `region ${rule.region} is outside your regions (${scopes.join(', ')})`,
      });
    }
  }
  for (const rule of diff.rules.removed) {
    if (!ruleWithin(rule.region, scopes)) {
      errors.push({
        pointer: '/rules',
        detail: `the rule for service ${rule.service} in region ${rule.region} is outside your regions and may not be removed`,
      });
    }
  }
  const usedOutside = destinationsOutsideScope([before, after], scopes);
  const destIndex = new Map(after.destinations.map((d, i) => [d.id, i]));
  for (const id of [...diff.destinations.changed, ...diff.destinations.removed]) {
    if (usedOutside.has(id)) {
      errors.push({
        pointer: destIndex.has(id) ? `/destinations/${destIndex.get(id) ?? 0}` : '/destinations',
        detail: `destination ${id} serves regions outside yours`,
      });
    }
  }
  return errors;
}

/**
 * Destinations that serve an admin's regions: used by a rule within them, or by a broader rule (a
 * state-wide one) that covers them.
 */
export function destinationsInScope(routing: Routing, scopes: readonly string[]): Set<string> {
  const overlaps = (region: string) => scopes.some((scope) => region.startsWith(scope) || scope.startsWith(region));
  return new Set(routing.rules.filter((r) => overlaps(r.region)).flatMap(destinationsOfRule));
}
