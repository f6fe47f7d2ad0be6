import { Router } from 'express';
import { destinationKeySources } from '../../config/destination-key-sources.js';
import type { BreakerState } from '../../delivery/circuit-breakers.js';
import type { DeliveryControl } from '../../delivery/worker.js';
import { destinationsInScope } from '../../routing/region-scope.js';
import type { RoutingState } from '../../routing/routing-state.js';
import { describeKeySource, type KeyResolver } from '../../seal/index.js';
import type { Store } from '../../store/store.js';
import type { DestinationStats } from '../../store/types.js';
import { currentAdmin } from './auth.js';
import type { ConfigurationSet } from '../../intake/configuration-set.js';
import type { OfferDeps } from '../../intake/fitconnect-offer.js';
import { destinationOfferState, type DestinationOfferState } from '../../operations/destination-offers.js';

/** Messages waiting longer than this make a destination "degraded" even with a closed circuit. */
const staleAfterMs = 15 * 60_000;

export type DestinationHealth = 'disabled' | 'misconfigured' | 'key-unavailable' | 'down' | 'degraded' | 'ok';

/**
 * One word for a destination's state: `misconfigured` when it would reject what the routing sends it (a FIT-Connect
 * destination that does not offer a service, schema or metadata version: intake refuses those submissions until the
 * operator fixes it), `key-unavailable` while the key its messages are sealed to cannot be had (intake refuses its
 * submissions meanwhile; `keys.encryption.problem` says why), `down` while its circuit is open, `degraded` while
 * half-open, with dead letters or with a message waiting longer than 15 minutes, otherwise `ok`.
 */
export function destinationHealth(
  enabled: boolean,
  breaker: BreakerState,
  stats: DestinationStats | undefined,
  now: Date,
  found: { offer?: DestinationOfferState['state'] | undefined; encryptionKeyProblem?: string | undefined } = {},
): DestinationHealth {
  if (!enabled) return 'disabled';
  if (found.offer === 'misconfigured') return 'misconfigured';
  if (found.encryptionKeyProblem !== undefined) return 'key-unavailable';
  if (breaker === 'open') return 'down';
  const stale =
    stats?.oldestWaitingSince !== undefined && now.getTime() - Date.parse(stats.oldestWaitingSince) > staleAfterMs;
  if (breaker === 'half-open' || (stats?.deadLetters ?? 0) > 0 || stale) return 'degraded';
  return 'ok';
}

/**
 * Destinations with adapter, health, circuit state, queue and their keys' fingerprints and expiry; a FIT-Connect
 * destination also with what it says of the services routed to it (`offer`).
 */
export function adminDestinationRoutes(deps: {
  store: Store;
  routing: RoutingState;
  worker: DeliveryControl | undefined;
  resolver: KeyResolver;
  clock: () => Date;
  /** What FIT-Connect destinations take; undefined where no delivery service is asked. */
  offers?: Omit<OfferDeps, 'config' | 'xoev'> & { configuration: () => Pick<ConfigurationSet, 'config' | 'xoev'> };
}): Router {
  const router = Router();
  router.get('/destinations', async (_req, res) => {
    const { regions } = currentAdmin(res);
    const routing = deps.routing.current().routing;
    const visible = regions ? destinationsInScope(routing, regions) : undefined;
    const breakers = deps.worker?.breakers.states() ?? {};
    const stats = new Map((await deps.store.destinationStats(regions)).map((s) => [s.destinationId, s]));
    const now = deps.clock();
    const destinations = await Promise.all(
      routing.destinations
        .filter((d) => !visible || visible.has(d.id))
        .map(async (d) => {
          const breaker = breakers[d.id] ?? 'closed';
          const s = stats.get(d.id);
          const sources = destinationKeySources(d);
          const keys = {
            encryption: await describeKeySource(sources.encryption, 'encryption', deps.resolver),
            receipt: await describeKeySource(sources.receipt, 'receipt', deps.resolver),
          };
          const offers = deps.offers;
          const offer = offers
            ? await destinationOfferState({ ...offers, ...offers.configuration(), routing }, d)
            : undefined;
          return {
            id: d.id,
            name: d.name,
            enabled: d.enabled,
            adapter: d.adapter.kind,
            sealing: d.sealing,
            standard: d.standard,
            breaker,
            health: destinationHealth(d.enabled, breaker, s, now, {
              offer: offer?.state,
              encryptionKeyProblem: keys.encryption.problem,
            }),
            ...(offer ? { offer } : {}),
            waiting: s?.waiting ?? 0,
            oldestWaitingSince: s?.oldestWaitingSince,
            deadLetters: s?.deadLetters ?? 0,
            keys,
          };
        }),
    );
    res.json({ destinations });
  });
  return router;
}
