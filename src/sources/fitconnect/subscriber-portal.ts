import type { StoredPortal } from '../../store/types.js';

/**
 * Who owns the onward submission of a picked-up FIT-Connect submission. Every submission belongs to a portal
 * (its idempotency keys, its access rules, the admin views' filter); a FIT-Connect destination is such a
 * source. It is not a row in the portal table: it has no token (nobody can sign in as it), it is configured in
 * `fitConnectSubscribers`, not seeded, and it may submit every service, for the destination's region only.
 * Its id `fitconnect-<destinationId>` marks these submissions in every view.
 */
export function subscriberPortal(destination: { destinationId: string; regionKey: string }): StoredPortal {
  return {
    id: `fitconnect-${destination.destinationId.toLowerCase()}`,
    name: `FIT-Connect destination ${destination.destinationId}`,
    tokens: [],
    services: ['*'],
    regions: [destination.regionKey],
  };
}
