import { DestinationUnavailable, type OfferMismatch, mismatchReport } from '../adapters/fitconnect/index.js';
import type { Destination, Routing } from '../config/routing-schema.js';
import { askDestination, isFitConnectDestination, type OfferDeps } from '../intake/fitconnect-offer.js';
import { isAmtsboteError } from '../lib/errors.js';

/** One service a destination would not take, in the operator's words (with what the destination offers). */
export interface OfferProblem {
  service: string;
  reason: OfferMismatch['reason'] | 'no-mapping';
  detail: string;
}

/**
 * Whether a FIT-Connect destination takes everything the routing sends it: `accepted`, `misconfigured` (at least
 * one service it would reject; intake refuses those with `destination-does-not-accept`) or `unknown` (its
 * description could not be read; `unavailable` says why, as the directory's typed reason).
 */
export type DestinationOfferState =
  | { state: 'accepted'; services: string[] }
  | { state: 'misconfigured'; services: string[]; problems: OfferProblem[] }
  | { state: 'unknown'; services: string[]; unavailable: string };

/** The services the routing sends to a destination, directly or deferred, each once, in the routing's order. */
export function servicesRoutedTo(routing: Routing, destinationId: string): string[] {
  const services = routing.rules
    .filter((r) => r.destinations.includes(destinationId) || r.deferred?.destinations.includes(destinationId))
    .map((r) => r.service);
  return [...new Set(services)];
}

/**
 * Asks a FIT-Connect destination about every service routed to it, from its cached description (read now when
 * none is cached): the admin destinations view and `amtsbote config check` show the outcome, so an operator sees a
 * mismatch before a portal meets it. Undefined for a destination of another kind.
 */
export async function destinationOfferState(
  deps: OfferDeps & { routing: Routing },
  destination: Destination,
): Promise<DestinationOfferState | undefined> {
  if (!isFitConnectDestination(destination)) return undefined;
  const services = servicesRoutedTo(deps.routing, destination.id);
  const problems: OfferProblem[] = [];
  for (const service of services) {
    try {
      const decision = await askDestination(deps, destination, service);
      if (!decision.accepted)
        problems.push(...decision.mismatches.map((m) => ({ service, reason: m.reason, detail: mismatchReport(m) })));
    } catch (error) {
      if (error instanceof DestinationUnavailable) return { state: 'unknown', services, unavailable: error.reason };
      // No mapping of the service to the destination's standard: intake refuses it too (invalid-config).
      if (isAmtsboteError(error) && error.code === 'invalid-config')
        problems.push({ service, reason: 'no-mapping', detail: error.message });
      else throw error;
    }
  }
  return problems.length > 0 ? { state: 'misconfigured', services, problems } : { state: 'accepted', services };
}
