import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { Reroute } from './reroute.js';

/**
 * Releases one deferred delivery: its message is sealed from the escrow copy for its destination as routing
 * has it now, and it joins the outbox (due at once). False when there is nothing to release: the delivery is
 * gone or no longer deferred (another instance was first), or its destination is no longer routed.
 */
export async function releaseFromEscrow(
  deps: { store: Store; routing: () => CurrentRouting; reroute: Reroute },
  deliveryId: string,
  at: Date,
  reason?: string,
): Promise<boolean> {
  const [delivery] = await deps.store.listDeliveries({ ids: [deliveryId], limit: 1 });
  const target = deps.routing().routing.destinations.find((d) => d.id === delivery?.destinationId);
  if (!delivery || delivery.state !== 'deferred' || !target) return false;
  const sealed = await deps.reroute(delivery, target);
  return deps.store.releaseDeferred({
    deliveryId,
    body: sealed.body,
    contentType: sealed.contentType,
    signingKid: sealed.signingKid,
    authenticationTags: sealed.authenticationTags,
    at: at.toISOString(),
    reason,
  });
}
