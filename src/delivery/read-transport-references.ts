import { kindsWithReferences, transportReferences } from '../adapters/index.js';
import type { TransportReferences } from '../adapters/transport-references.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';

/**
 * The ids each delivery's transport assigned (FIT-Connect's submission and case), for the portal's status
 * and the admin API. The adapter kind comes from the destination in the routing in force, as for delivery
 * itself; a delivery whose destination has left routing shows none here — the event log's entry of its
 * last change of state still has them.
 */
export async function readTransportReferences(
  deps: { store: Pick<Store, 'adapterStates'>; routing: () => CurrentRouting },
  deliveries: readonly { id: string; destinationId: string }[],
): Promise<Map<string, TransportReferences>> {
  const found = new Map<string, TransportReferences>();
  const { destinations } = deps.routing().routing;
  const kinds = new Map(
    deliveries.map((d) => [d.id, destinations.find((x) => x.id === d.destinationId)?.adapter.kind]),
  );
  // Only kinds with ids of their own are read: a status of other destinations costs no query.
  const ids = deliveries.filter((d) => kindsWithReferences.has(kinds.get(d.id) ?? '')).map((d) => d.id);
  const states = await deps.store.adapterStates(ids);
  for (const [id, state] of states) {
    const kind = kinds.get(id);
    const references = kind === undefined ? undefined : transportReferences(kind, state);
    if (references) found.set(id, references);
  }
  return found;
}
