import { createAdapter } from '../adapters/index.js';
import { destinationKeySources } from '../config/destination-key-sources.js';
import { createCallbackAdapter } from '../adapters/callback.js';
import { createHttpReplyStatusAdapter } from '../adapters/http-reply-status.js';
import type { Adapter, AdapterContext } from '../adapters/types.js';
import type { Destination } from '../config/routing-schema.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { ClaimedDelivery } from '../store/types.js';
import type { SecretRef } from '../lib/secret-ref.js';
import { defaultRetry } from './retry-policy.js';

/**
 * Where a claimed delivery goes: its destination, and the adapter that reaches it — built only when the
 * attempt runs (a disabled destination, or one whose message is missing, never builds one). `failed` when
 * there is nowhere to go.
 */
export type DeliveryTarget =
  | { destination: Destination; adapter: () => Adapter }
  | { failed: 'portal-has-no-callback-settings' | 'destination-not-in-routing' | 'destination-takes-no-reply-status' };

export interface DeliveryTargets {
  /** A portal callback's target comes from the portal's settings, any other from the routing in force. */
  targetOf: (claim: ClaimedDelivery) => Promise<DeliveryTarget>;
  /** A routing destination's adapter, built once and rebuilt when the destination's settings change. */
  adapterFor: (destination: Destination) => Adapter;
  /** Closes every adapter built (at the worker's stop). */
  close: () => Promise<void>;
}

export function deliveryTargets(options: {
  store: Pick<Store, 'getPortal'>;
  routing: () => CurrentRouting;
  adapterContext: AdapterContext;
  /**
   * The callback secret reference gateway.yaml gives for a portal it names. It wins over the one stored when
   * the store was seeded: a reference says where the secret lives on this machine — deployment configuration
   * like the key files, checked by `config check` and the start — so fixing gateway.yaml (and restarting)
   * fixes it, and the store keeps only the portal's own settings.
   */
  callbackSecret?: (portalId: string) => SecretRef | undefined;
}): DeliveryTargets {
  const { store } = options;
  const adapterCache = new Map<string, { key: string; adapter: Adapter }>();
  // A destination's settings as text, once per routing object rather than once per attempt (the routing in force
  // hands out the same objects until it changes; serialising them was a hundredth of the outbox's time).
  const keys = new WeakMap<Destination, string>();
  const keyOf = (destination: Destination): string => {
    let key = keys.get(destination);
    if (key === undefined) {
      key = JSON.stringify(destination);
      keys.set(destination, key);
    }
    return key;
  };

  const adapterFor = (destination: Destination): Adapter => {
    const key = keyOf(destination);
    const cached = adapterCache.get(destination.id);
    if (cached?.key === key) return cached.adapter;
    void cached?.adapter.close?.();
    const adapter = createAdapter(
      { ...destination, receiptKey: destinationKeySources(destination).receipt },
      options.adapterContext,
    );
    adapterCache.set(destination.id, { key, adapter });
    return adapter;
  };

  /** A portal callback's target: the portal's settings stand in for a routing destination. */
  const callbackTarget = async (
    claim: ClaimedDelivery,
  ): Promise<{ target: Destination; adapter: Adapter } | undefined> => {
    const portalId = claim.destinationId.slice('callback:'.length);
    const portal = await store.getPortal(portalId);
    if (!portal?.callback) return undefined;
    const settings = { ...portal.callback, secret: options.callbackSecret?.(portalId) ?? portal.callback.secret };
    const key = `callback:${JSON.stringify(settings)}`;
    let cached = adapterCache.get(claim.destinationId);
    if (cached?.key !== key) {
      void cached?.adapter.close?.();
      cached = { key, adapter: createCallbackAdapter(settings, options.adapterContext) };
      adapterCache.set(claim.destinationId, cached);
    }
    const target = {
      id: claim.destinationId,
      enabled: true,
      retry: defaultRetry,
      breaker: { consecutiveFailures: 5, halfOpenAfterSeconds: 30 },
    } as Destination;
    return { target, adapter: cached.adapter };
  };

  /**
   * A reply status's target: the destination of the routing in force that sent the reply, reached by its http
   * adapter's `replyStatusUrl` with its webhook secret; its retry and breaker settings, under the outbox's own
   * id, so a failing status endpoint does not hold back the destination's messages.
   */
  const replyStatusTarget = (claim: ClaimedDelivery): DeliveryTarget => {
    const destinationId = claim.destinationId.slice('reply-status:'.length);
    const destination = options.routing().routing.destinations.find((d) => d.id === destinationId);
    if (!destination) return { failed: 'destination-not-in-routing' };
    const config = destination.adapter;
    if (config.kind !== 'http' || !config.replyStatusUrl) return { failed: 'destination-takes-no-reply-status' };
    const key = `reply-status:${JSON.stringify(config)}`;
    let cached = adapterCache.get(claim.destinationId);
    if (cached?.key !== key) {
      void cached?.adapter.close?.();
      cached = { key, adapter: createHttpReplyStatusAdapter(config, options.adapterContext) };
      adapterCache.set(claim.destinationId, cached);
    }
    const { adapter } = cached;
    const target = {
      id: claim.destinationId,
      enabled: destination.enabled,
      retry: destination.retry,
      breaker: destination.breaker,
    } as Destination;
    return { destination: target, adapter: () => adapter };
  };

  return {
    async targetOf(claim) {
      if (claim.destinationId.startsWith('reply-status:')) return replyStatusTarget(claim);
      if (claim.destinationId.startsWith('callback:')) {
        const callback = await callbackTarget(claim);
        return callback
          ? { destination: callback.target, adapter: () => callback.adapter }
          : { failed: 'portal-has-no-callback-settings' };
      }
      const destination = options.routing().routing.destinations.find((d) => d.id === claim.destinationId);
      return destination
        ? { destination, adapter: () => adapterFor(destination) }
        : { failed: 'destination-not-in-routing' };
    },
    adapterFor,
    async close() {
      await Promise.all(
        [...adapterCache.values()].map(async (c) => {
          await c.adapter.close?.();
        }),
      );
    },
  };
}
