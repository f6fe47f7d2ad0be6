import express from 'express';
import { destinationKeySources } from '../config/destination-key-sources.js';
import type { GatewayConfig } from '../config/gateway-schema.js';
import { metricsHandler } from '../http/metrics-routes.js';
import { listen } from '../http/listen.js';
import type { RoutingState } from '../routing/routing-state.js';
import { describeKeySource, type KeyResolver } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../lib/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';

/** The gateway's metrics, watching the outbox queues and when the destinations' keys expire. */
export function gatewayMetrics(input: {
  store: Store;
  routing: RoutingState;
  resolver: KeyResolver;
  clock: () => Date;
  /** A reply not fetched within this many days counts as undelivered. */
  replyPickupDays: number;
}): Metrics {
  const { store, routing, resolver } = input;
  const metrics = createMetrics(input.clock);
  metrics.watchQueues(() => store.destinationStats());
  metrics.watchDeferred(() => store.deferredByAge(input.clock()));
  metrics.watchInbound(() => store.countInboundByState());
  metrics.watchUndeliveredReplies(() =>
    store.countUndeliveredReplies(new Date(input.clock().getTime() - input.replyPickupDays * 86_400_000).toISOString()),
  );
  metrics.watchKeyExpiry(async () => {
    const described = await Promise.all(
      routing.current().routing.destinations.flatMap((d) =>
        (['encryption', 'receipt'] as const).map(async (purpose) => ({
          destination: d.id,
          purpose,
          notAfter: (await describeKeySource(destinationKeySources(d)[purpose], purpose, resolver)).notAfter,
        })),
      ),
    );
    return described.filter((e): e is typeof e & { notAfter: string } => e.notAfter !== undefined);
  });
  return metrics;
}

/**
 * Metrics on an address of their own (the operator's network), never on the port portals reach; nothing
 * when `metrics.listen` is not set (then they are served on the main port behind a token, or not at all).
 */
export async function startMetricsServer(
  metrics: Metrics,
  settings: GatewayConfig['metrics'],
  logger: Logger,
): Promise<{ url: string; close: () => Promise<void> } | undefined> {
  if (!settings?.listen) return undefined;
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics));
  // a scraper keeps its connection between scrapes: listen gives it the same keep-alive as the portal port
  const server = await listen(app, settings.listen);
  const url = server.url + '/metrics';
  logger.info({ metricsUrl: url }, 'metrics listening');
  return { url, close: server.close };
}
