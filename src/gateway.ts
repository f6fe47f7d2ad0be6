import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadHmacSecret } from './config/gateway-secret.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.js';
import { createApp } from './http/app.js';
import type { IntakeContext } from './intake/accept-submission.js';
import { compileDataValidators } from './intake/data-validator.js';
import { keyedHash } from './intake/keyed-hash.js';
import { din91379Keyword, loadXoev, normalizeNfc } from './xoev/index.js';
import { createLogger, type Logger } from './observability/logger.js';
import { startRoutingState, type RoutingState } from './routing/routing-state.js';
import { openStore } from './store/open-store.js';
import { acquireServeLock } from './store/serve-lock.js';
import { startDeliveryWorker, type DeliveryWorker } from './delivery/worker.js';
import { startHousekeeping } from './delivery/housekeeping.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import type { Store } from './store/store.js';
import { version } from './version.js';
import { AmtsboteError } from './errors.js';
import { destinationKeyCheck, recipientKeyResolver, startSealing } from './seal-setup.js';
import { rerouteFromEscrow } from './intake/reroute-from-escrow.js';
import { readSecret } from './config/secret-ref.js';
import { metricsHandler } from './http/metrics-routes.js';
import { describeKeySource } from './seal/index.js';
import type { Server } from 'node:http';
import express from 'express';
import { recordReceipt, type ReceiptContext } from './delivery/receive-receipt.js';
import { configReloader, type ReloadOutcome } from './gateway-reload.js';

export interface GatewayOptions extends LoadOptions {
  logger?: Logger;
  clock?: () => Date;
  newId?: () => string;
}

export interface RunningGateway {
  url: string;
  /** The configuration in force (replaced by a reload). */
  readonly config: LoadedConfig;
  store: Store;
  routing: RoutingState;
  worker: DeliveryWorker | undefined;
  metrics: Metrics;
  /** Where /metrics is served when it has an address of its own (`metrics.listen`). */
  metricsUrl?: string | undefined;
  /** Reloads services, mappings, code lists and schema profiles (see gateway-reload.ts). */
  reloadConfig(): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

/** Loads config, opens and migrates the store, seeds portals once and starts listening. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger();
  const config = loadConfig(options);
  const storeSettings = config.gateway.store;
  const releaseServeLock = storeSettings.kind === 'sqlite' ? acquireServeLock(resolve(config.dataDir, storeSettings.file), config.dataDir) : undefined;
  try {
    return await startWithConfig(config, options, logger, releaseServeLock);
  } catch (error) {
    releaseServeLock?.();
    throw error;
  }
}

async function startWithConfig(config: LoadedConfig, options: GatewayOptions, logger: Logger, releaseServeLock: (() => void) | undefined): Promise<RunningGateway> {
  const validators = compileDataValidators(config.services, [din91379Keyword]);
  const xoev = loadXoev(config.paths);
  const { secret, generated } = loadHmacSecret(config.gateway.hmacSecret, config.configDir, config.dataDir, config.gateway.store.kind);
  if (generated) logger.warn({ dataDir: config.dataDir }, 'created a development HMAC secret in the data dir; configure hmacSecret for production');

  const store = await openStore(config, logger);
  const now = (options.clock ?? (() => new Date()))();
  const seeded = await store.seedPortals(
    config.gateway.portals.map(({ tokenHashes, ...p }) => ({ ...p, tokens: tokenHashes.map((hash) => ({ hash })) })),
    now.toISOString(),
  );
  if (seeded > 0) logger.info({ portals: seeded }, 'seeded portals from gateway.yaml into the empty store');

  const clock = options.clock ?? (() => new Date());
  const resolver = await recipientKeyResolver(config, logger);
  const checkKeys = destinationKeyCheck(resolver);
  const seedKeyProblems = await checkKeys(config.routing);
  if (seedKeyProblems.length > 0) {
    throw new AmtsboteError('invalid-config', `${config.gateway.routing}: ${seedKeyProblems.map((p) => `${p.pointer}: ${p.detail}`).join('; ')}`, seedKeyProblems);
  }
  const sealing = await startSealing(config, store, resolver, logger, clock);
  const intake: IntakeContext = {
    config,
    // `routing` is started below; intake calls this only once requests arrive.
    routing: () => routing.current(),
    validators,
    normalize: normalizeNfc,
    xoev,
    sealing,
    productVersion: version,
    store,
    hash: keyedHash(secret),
    clock,
    newId: options.newId ?? randomUUID,
    publicBaseUrl: config.gateway.publicBaseUrl ?? '',
  };
  const routing = await startRoutingState({
    store,
    seed: config.routing,
    knownServices: () => new Set(intake.config.services.keys()),
    checkKeys,
    logger,
    now: clock,
    pollMs: config.gateway.routingPollSeconds * 1000,
  });
  const metrics = createMetrics(clock);
  metrics.watchQueues(() => store.destinationStats());
  metrics.watchKeyExpiry(async () => {
    const described = await Promise.all(
      routing.current().routing.destinations.flatMap((d) =>
        (['encryption', 'receipt'] as const).map(async (purpose) => ({
          destination: d.id,
          purpose,
          notAfter: (await describeKeySource(purpose === 'encryption' ? d.encryptionKey : d.receiptKey, purpose, resolver)).notAfter,
        })),
      ),
    );
    return described.filter((e): e is typeof e & { notAfter: string } => e.notAfter !== undefined);
  });
  const reroute = rerouteFromEscrow(intake);
  // Receipts an adapter fetches (FIT-Connect's event log) are recorded as those posted to the events API.
  const receipts: ReceiptContext = { store, routing, sealing, reroute, clock, onReleased: () => worker?.kick() };
  const worker = config.gateway.delivery.enabled
    ? startDeliveryWorker({
        store,
        onAttempt: (destination, outcome, ms) => {
          metrics.recordAttempt(destination, outcome, ms);
        },
        routing: () => routing.current(),
        adapterContext: { dataDir: config.dataDir, configDir: config.configDir, outbound: config.gateway.outbound, now: clock, keys: resolver },
        recordReceipt: (input) => recordReceipt(receipts, input),
        onIgnoredReceipt: (destination, reason) => {
          metrics.recordIgnoredReceipt(destination, reason);
        },
        logger,
        clock,
        concurrency: config.gateway.delivery.concurrency,
        pollMs: config.gateway.delivery.pollMs,
        leaseMs: config.gateway.delivery.leaseSeconds * 1000,
        attemptTimeoutMs: config.gateway.delivery.attemptTimeoutSeconds * 1000,
      })
    : undefined;
  intake.onAccepted = () => worker?.kick();
  if (worker) metrics.watchBreakers(() => worker.breakers.states());
  const housekeeping = startHousekeeping({
    store,
    logger,
    clock,
    retention: config.gateway.retention,
  });
  const reloader = configReloader({ intake, routing, load: () => loadConfig(options), logger });
  const metricsConfig = config.gateway.metrics;
  const metricsToken = metricsConfig?.token && !metricsConfig.listen ? readSecret(metricsConfig.token, config.configDir) : undefined;
  const app = createApp({ intake, routing, worker, reroute, reloader, logger, version, metrics, metricsToken });
  const server = app.listen(config.gateway.listen.port, config.gateway.listen.host);
  await listening(server);
  // Metrics on an address of their own (the operator's network), never on the port portals reach.
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (metricsConfig?.listen) {
    const metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.get('/metrics', metricsHandler(metrics));
    metricsServer = metricsApp.listen(metricsConfig.listen.port, metricsConfig.listen.host);
    await listening(metricsServer);
    metricsUrl = urlOf(metricsServer) + '/metrics';
    logger.info({ metricsUrl }, 'metrics listening');
  }
  // Slow clients must not hold sockets forever; a 25 MB upload still fits comfortably.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  // Longer than clients' and load balancers' idle timeouts, so the server is never the one to close an idle
  // connection just as a client reuses it (which fails that client's request).
  server.keepAliveTimeout = 65_000;
  const url = urlOf(server);
  intake.publicBaseUrl = config.gateway.publicBaseUrl ?? url;
  logger.info({ url, store: store.kind, configHash: config.hash, version }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    get config() {
      return intake.config;
    },
    store,
    routing,
    worker,
    metrics,
    metricsUrl,
    reloadConfig: () => reloader.reload(),
    close() {
      closing ??= (async () => {
        metricsServer?.close();
        await new Promise<void>((done) => {
          server.close(() => { done(); });
          server.closeIdleConnections();
        });
        // Stop claiming first, let attempts in flight finish, then close the store.
        await worker?.stop(config.gateway.delivery.shutdownGraceSeconds * 1000);
        routing.stop();
        sealing.stop();
        housekeeping.stop();
        await store.close();
        releaseServeLock?.();
        reloader.close();
        intake.xoev.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

function listening(server: Server): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    server.once('listening', resolveListen);
    server.once('error', reject);
  });
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
