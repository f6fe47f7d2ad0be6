import type { Resolution } from '../routing/resolve.js';
import type { NewDelivery } from '../store/types.js';

/** A delivery planned for one destination of the route; its id is the message id sealing writes into the message. */
export interface PlannedDelivery {
  id: string;
  destinationId: string;
  state: 'pending';
}

/** One pending delivery per destination of the route, in the route's order (the order the messages are sealed in). */
export function plannedDeliveries(route: Pick<Resolution, 'destinations'>, newId: () => string): PlannedDelivery[] {
  return route.destinations.map((d) => ({ id: newId(), destinationId: d.id, state: 'pending' as const }));
}

/**
 * The delivery rows stored with the submission: each planned delivery with the key that signed its message
 * and the message's authentication tags (what an accept receipt must repeat), and the deferred deliveries with
 * their deadline.
 */
export function deliveryRows(
  planned: readonly PlannedDelivery[],
  sealed: readonly {
    deliveryId: string;
    signingKid?: string | undefined;
    authenticationTags?: NewDelivery['authenticationTags'];
  }[],
  route: Pick<Resolution, 'deferred'>,
  newId: () => string,
  receivedAt: Date,
): { sealed: NewDelivery[]; deferred: NewDelivery[] } {
  const sealedById = new Map(sealed.map((m) => [m.deliveryId, m]));
  const withKeys = planned.map((d) => ({
    ...d,
    signingKid: sealedById.get(d.id)?.signingKid,
    authenticationTags: sealedById.get(d.id)?.authenticationTags,
  }));
  // Deferred destinations get a delivery now and their message only when `after` accepts (sealed from escrow).
  // The deadline is fixed at receipt: a later routing change does not move the deadlines of cases received.
  const trigger = route.deferred ? planned.find((d) => d.destinationId === route.deferred?.after) : undefined;
  const deferred =
    trigger && route.deferred
      ? route.deferred.destinations.map((d) => ({
          id: newId(),
          destinationId: d.id,
          state: 'deferred' as const,
          triggerDeliveryId: trigger.id,
          deferredUntil: new Date(receivedAt.getTime() + (route.deferred?.maxWaitMs ?? 0)).toISOString(),
          onTimeout: route.deferred?.onTimeout,
        }))
      : [];
  return { sealed: withKeys, deferred };
}
