import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { loadHmacSecret } from '../config/gateway-secret.js';
import {
  loadConfigWithRoutingSeed,
  type ConfigFiles,
  type ConfigWithRoutingSeed,
  type LoadOptions,
} from '../config/load.js';
import { createApp } from '../http/app.js';
import type { IntakeContext } from '../intake/accept-submission.js';
import { compileDataValidators } from '../intake/data-validator.js';
import { keyedHash, type KeyedHash } from '../lib/keyed-hash.js';
import { din91379Keyword, loadXoev, normalizeNfc } from '../xoev/index.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { startRoutingState, type RoutingState } from '../routing/routing-state.js';
import { openStore } from '../store/open-store.js';
import { refuseUncarriedWork } from './upgrade-guard.js';
import { routingSeedToUse } from './routing-seed.js';
import { assertSecretsReadable, gatewaySecretProblems, routingSecretProblems } from '../config/secret-references.js';
import { acquireServeLock } from '../store/serve-lock.js';
import type { DeliveryControl } from '../delivery/worker.js';
import { startHousekeeping } from '../delivery/housekeeping.js';
import type { Metrics } from '../observability/metrics.js';
import { gatewayMetrics, startMetricsServer } from './metrics-server.js';
import { listenWith } from '../http/listen.js';
import type { Store } from '../store/store.js';
import { version } from '../lib/version.js';
import { installUint8ArrayToBase64 } from '../seal/lib/uint8array-to-base64.js';
import { destinationKeyCheck, recipientKeyResolver, startSealing } from './seal-setup.js';
import { escrowReroute } from './escrow-reroute.js';
import { configurationInForce, type ConfigurationInForce } from './configuration-in-force.js';
import { readSecret } from '../lib/secret-ref.js';
import type { KeyResolver, KeyRing } from '../seal/index.js';
import type { StoredKeyRing } from './key-ring.js';
import type { Reroute } from '../delivery/reroute.js';
import { recordReceipt, type ReceiptContext } from '../delivery/receive-receipt.js';
import { configReloader, type ConfigReloader, type ReloadOutcome } from './reload.js';
import { intakePools, type IntakePools } from './intake-pools.js';
import { removeFileDropLeftovers } from '../adapters/file.js';
import { startDeferredDeadlines, type DeadlineRound } from '../delivery/deferred-deadlines.js';
import type { ChangeTopic } from '../store/change-topics.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';
import { gatewayFitConnectDirectories, readFitConnectDestinations } from './fitconnect-directories.js';
import { prepareFitConnectSubscribers } from './fitconnect-subscribers.js';
import { deliveryConfig, startDeliveryThread, type DeliveryThread } from './delivery-thread.js';
import { wireDeliveryWorker } from './delivery-wiring.js';
import type { Subscriber } from '../sources/fitconnect/subscriber.js';

export interface GatewayOptions extends LoadOptions {
  logger?: Logger;
  clock?: () => Date;
  newId?: () => string;
  /**
   * The configuration as loaded from these options by the caller (`serve` loads it once for the demo receiver):
   * taken instead of loading the same files a second time (issue 26). A reload loads the files again.
   */
  loaded?: ConfigWithRoutingSeed;
}

export interface RunningGateway {
  url: string;
  /** The configuration in force (replaced by a reload). */
  readonly config: ConfigFiles;
  store: Store;
  routing: RoutingState;
  /** The outbox worker: in its own thread (delivery-thread.ts, the default) or on this one (an injected clock). */
  worker: DeliveryControl | undefined;
  /** The deadlines of deferred deliveries (with the worker): `runOnce` decides the overdue ones now. */
  deferredDeadlines: { runOnce(): Promise<DeadlineRound> } | undefined;
  metrics: Metrics;
  /** Where /metrics is served when it has an address of its own (`metrics.listen`). */
  metricsUrl?: string | undefined;
  /** The pick-up of the FIT-Connect destinations this gateway subscribes to (absent: none configured). */
  fitConnectSubscriber: Subscriber | undefined;
  /** Reloads services, mappings, code lists and schema profiles (see reload.ts). */
  reloadConfig(): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

/** Loads config, opens and migrates the store, seeds portals once and starts listening. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  installUint8ArrayToBase64();
  const logger = options.logger ?? createLogger();
  const config = options.loaded ?? loadConfigWithRoutingSeed(options);
  const storeSettings = config.gateway.store;
  const releaseServeLock =
    storeSettings.kind === 'sqlite'
      ? acquireServeLock(resolve(config.dataDir, storeSettings.file), config.dataDir)
      : undefined;
  try {
    return await startWithConfig(config, options, logger, releaseServeLock);
  } catch (error) {
    releaseServeLock?.();
    throw error;
  }
}

async function startWithConfig(
  config: ConfigWithRoutingSeed,
  options: GatewayOptions,
  logger: Logger,
  releaseServeLock: (() => void) | undefined,
): Promise<RunningGateway> {
  const validators = compileDataValidators(config.services, [din91379Keyword]);
  assertSecretsReadable(gatewaySecretProblems(config));
  const { secret, generated } = loadHmacSecret(
    config.gateway.hmacSecret,
    config.configDir,
    config.dataDir,
    config.gateway.store.kind,
  );
  if (generated)
    logger.warn(
      { dataDir: config.dataDir },
      'created a development HMAC secret in the data dir; configure hmacSecret for production',
    );
  const clock = options.clock ?? (() => new Date());
  // What is started is stopped again, in reverse order, on shutdown — and when a later step fails, so a
  // failed start (a port taken, a key refused) leaves no store open and no timer running.
  const started: { name: string; stop: () => unknown }[] = [];
  const stopAll = async () => {
    for (const { name, stop } of started.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ part: name, errorClass: (error as Error).name }, 'stopping a part of the gateway failed');
      }
    }
  };
  try {
    const configuration = configurationInForce({ config, validators, xoev: loadXoev(config.paths) });
    // A reload replaces the XÖV set (and frees the old one): close the one in force.
    started.push({
      name: 'xoev',
      stop: () => {
        configuration.current().xoev.close();
      },
    });
    const hash = keyedHash(secret);
    const store = await openStore(config, logger, { keyedHash: () => hash });
    started.push({ name: 'store', stop: () => store.close() });
    await refuseUncarriedWork(store);
    if (releaseServeLock) {
      // The serve lock proves the process that held these leases is gone: resume its deliveries now, not after
      // leaseSeconds.
      const released = await store.releaseAllLeases(clock().toISOString());
      if (released > 0) logger.info({ deliveries: released }, 'released the leases of the previous gateway process');
      await store.releaseInboundLeases();
    }
    const seeded = await store.seedPortals(
      config.gateway.portals.map(({ tokenHashes, ...p }) => ({ ...p, tokens: tokenHashes.map((hash) => ({ hash })) })),
      clock().toISOString(),
    );
    if (seeded > 0) logger.info({ portals: seeded }, 'seeded portals from gateway.yaml into the empty store');

    // One directory per FIT-Connect destination, shared by sealing (its keys), intake (what it takes), delivery
    // and the admin view.
    const fitConnect = gatewayFitConnectDirectories(config, clock);
    started.push({ name: 'FIT-Connect directories', stop: () => fitConnect.close() });
    const resolver = await recipientKeyResolver(config, logger, { directories: fitConnect, now: clock });
    const checkKeys = destinationKeyCheck(resolver, logger);
    const seed = await routingSeedToUse(config, store, checkKeys, logger);
    const sealing = await startSealing(config, store, resolver, logger, clock);
    started.push({
      name: 'sealing',
      stop: () => {
        sealing.stop();
      },
    });
    // The delivery thread reads routing itself; a local change or another instance's notice is passed on at once.
    let routingChanged = () => {};
    const routing = noticeRoutingChanges(
      await startRoutingState({
        store,
        seed,
        knownServices: () => new Set(configuration.current().config.services.keys()),
        fileDropRoot: config.fileDropRoot,
        checkKeys,
        logger,
        now: clock,
        pollMs: config.gateway.routingPollSeconds * 1000,
      }),
      () => {
        routingChanged();
      },
    );
    started.push({
      name: 'routing',
      stop: () => {
        routing.stop();
      },
    });
    assertSecretsReadable(
      routingSecretProblems(
        config,
        routing.current().routing,
        `the routing in force (version ${routing.current().version} in the store)`,
      ),
    );
    readFitConnectDestinations(fitConnect, routing.current().routing);
    for (const problem of await removeFileDropLeftovers(config.fileDropRoot, routing.current().routing.destinations)) {
      logger.warn(problem, 'could not remove the temporary files a file destination left behind');
    }
    const metrics = gatewayMetrics({
      store,
      routing,
      resolver,
      clock,
      replyPickupDays: config.gateway.replyPickupDays,
    });
    const reroute = escrowReroute({ store, sealing, clock, configuration: () => configuration.current(), fitConnect });
    const worker = config.gateway.delivery.enabled
      ? startWorker({
          injectedClock: options.clock !== undefined,
          services: () => [...configuration.current().config.services.keys()],
          config,
          store,
          routing,
          sealing,
          resolver,
          fitConnect,
          reroute,
          metrics,
          logger,
          clock,
        })
      : undefined;
    const thread = worker && 'routingChanged' in worker ? (worker as DeliveryThread) : undefined;
    if (thread)
      routingChanged = () => {
        thread.routingChanged();
      };
    if (worker)
      started.push({
        name: 'delivery worker',
        stop: () => worker.stop(config.gateway.delivery.shutdownGraceSeconds * 1000),
      });
    const deadlines = worker
      ? startDeferredDeadlines({
          store,
          routing: () => routing.current(),
          reroute,
          clock,
          logger,
          onReleased: () => {
            worker.kick();
          },
        })
      : undefined;
    if (deadlines)
      started.push({
        name: 'deferred deadlines',
        stop: () => {
          deadlines.stop();
        },
      });
    const listener = listenForOtherInstances({ store, routing, sealing, worker, logger });
    if (listener) started.push({ name: 'change listener', stop: () => listener.stop() });
    const housekeeping = startHousekeeping({ store, logger, clock, retention: config.gateway.retention });
    started.push({
      name: 'housekeeping',
      stop: () => {
        housekeeping.stop();
      },
    });
    const reloader = withNotices(
      configReloader({ configuration, routing, load: () => loadConfigWithRoutingSeed(options), logger }),
      () => thread?.servicesChanged([...configuration.current().config.services.keys()]),
    );
    started.push({
      name: 'config reloader',
      stop: () => {
        reloader.close();
      },
    });

    // FIT-Connect destinations this gateway subscribes to: their keys read now, their pick-up started once intake
    // can take submissions (below).
    const subscribers = await prepareFitConnectSubscribers({
      config,
      store,
      routingVersion: () => routing.current().version,
      metrics,
      clock,
      logger,
    });
    if (subscribers)
      started.push({
        name: 'inbound mappings',
        stop: () => {
          subscribers.close();
        },
      });
    let subscriber: Subscriber | undefined;
    let subscriberIntake: IntakeContext | undefined;
    // Stopped after the HTTP server and the FIT-Connect pick-up (the parts that submit), before the store.
    const pools = intakePools({ configuration, load: options, limits: config.gateway.limits, logger });
    started.push({ name: 'intake pool', stop: () => pools.close() });
    metrics.watchIntakePool(() => pools.load());

    const metricsConfig = config.gateway.metrics;
    const metricsToken =
      metricsConfig?.token && !metricsConfig.listen ? readSecret(metricsConfig.token, config.configDir) : undefined;
    // The app is built once the port is bound: links name the bound address when no public URL is configured.
    const server = await listenWith(
      (url) => {
        const publicBaseUrl = config.gateway.publicBaseUrl ?? url;
        const intake = intakeContext({
          configuration,
          routing,
          store,
          hash,
          clock,
          newId: options.newId ?? randomUUID,
          publicBaseUrl,
          sealing,
          onAccepted: () => worker?.kick(),
          fitConnect,
          pools,
        });
        subscriberIntake = intake;
        return createApp({
          intake,
          configuration: () => configuration.current(),
          store,
          sealing,
          hash,
          clock,
          normalize: intake.normalize,
          publicBaseUrl,
          routing,
          worker,
          reroute,
          reloader,
          logger,
          version,
          metrics,
          metricsToken,
          fitConnect,
          fitConnectCallbacks: subscribers
            ? {
                secretOf: (destinationId) => subscribers.secretOf(destinationId),
                nudge: (destinationId) => subscriber?.nudge(destinationId),
              }
            : undefined,
          inbound: { destinations: subscribers?.destinations ?? [] },
        });
      },
      config.gateway.listen,
      () => {
        metrics.recordDroppedConnection();
      },
    );
    // Closed first on shutdown: no new requests while the worker drains and the store closes.
    started.push({ name: 'http server', stop: server.close });
    if (subscribers && subscriberIntake) {
      const running = subscribers.start(subscriberIntake);
      subscriber = running;
      started.push({ name: 'FIT-Connect pick-up', stop: () => running.stop() });
    }
    const metricsServer = await startMetricsServer(metrics, metricsConfig, logger);
    if (metricsServer) started.push({ name: 'metrics server', stop: metricsServer.close });
    logger.info({ url: server.url, store: store.kind, configHash: config.hash, version }, 'gateway listening');

    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      get config() {
        return configuration.current().config;
      },
      store,
      routing,
      worker,
      deferredDeadlines: deadlines,
      metrics,
      metricsUrl: metricsServer?.url,
      fitConnectSubscriber: subscriber,
      reloadConfig: () => reloader.reload(),
      close() {
        closing ??= (async () => {
          await stopAll();
          releaseServeLock?.();
          logger.info('gateway stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Intake's dependencies, reading the configuration in force per request. */
function intakeContext(deps: {
  configuration: ConfigurationInForce;
  routing: RoutingState;
  store: Store;
  hash: KeyedHash;
  clock: () => Date;
  newId: () => string;
  publicBaseUrl: string;
  sealing: KeyRing;
  onAccepted: () => void;
  fitConnect: FitConnectDirectories;
  pools: IntakePools;
}): IntakeContext {
  const { configuration, routing } = deps;
  return {
    get config() {
      return configuration.current().config;
    },
    get validators() {
      return configuration.current().validators;
    },
    get xoev() {
      return configuration.current().xoev;
    },
    routing: () => routing.current(),
    normalize: normalizeNfc,
    store: deps.store,
    hash: deps.hash,
    clock: deps.clock,
    newId: deps.newId,
    publicBaseUrl: deps.publicBaseUrl,
    sealing: deps.sealing,
    productVersion: version,
    onAccepted: deps.onAccepted,
    fitConnect: deps.fitConnect,
    cpu: () => deps.pools.current(),
  };
}

/**
 * The outbox worker with the gateway's metrics and receipt handling, in a thread of its own (issue 26: a delivery
 * burst and intake no longer share an event loop). An injected clock (tests) cannot cross into a thread: then the
 * worker runs in this one, wired the same way.
 */
function startWorker(deps: {
  injectedClock: boolean;
  services: () => string[];
  config: ConfigFiles;
  store: Store;
  routing: RoutingState;
  sealing: StoredKeyRing;
  resolver: KeyResolver;
  fitConnect: FitConnectDirectories;
  reroute: Reroute;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
}): DeliveryControl | DeliveryThread {
  const { config, store, routing, metrics, clock, logger } = deps;
  let kick = () => {};
  // Receipts an adapter fetches (FIT-Connect's event log) are recorded as those posted to the events API: here, on
  // the main thread, since an accept may release deferred deliveries, sealed from the escrow copy.
  const receipts: ReceiptContext = {
    store,
    routing,
    sealing: deps.sealing,
    reroute: deps.reroute,
    clock,
    onReleased: () => {
      kick();
    },
  };
  const worker =
    deps.injectedClock || !config.gateway.delivery.thread
      ? wireDeliveryWorker({
          config,
          store,
          routing,
          resolver: deps.resolver,
          fitConnect: deps.fitConnect,
          observer: metrics,
          recordReceipt: (input) => recordReceipt(receipts, input),
          logger,
          clock,
        })
      : startDeliveryThread({
          config: deliveryConfig(config),
          services: deps.services,
          logger,
          metrics,
          receipts,
        });
  kick = () => {
    worker.kick();
  };
  metrics.watchBreakers(() => worker.breakers.states());
  return worker;
}

/** A routing state that says when an explicit refresh (a local change, another instance's notice) took a version. */
function noticeRoutingChanges(state: RoutingState, changed: () => void): RoutingState {
  return {
    ...state,
    async refresh() {
      const before = state.current().version;
      await state.refresh();
      if (state.current().version !== before) changed();
    },
  };
}

/** A reloader that says when a reload took a new configuration. */
function withNotices(reloader: ConfigReloader, reloaded: () => void): ConfigReloader {
  return {
    ...reloader,
    async reload() {
      const outcome = await reloader.reload();
      reloaded();
      return outcome;
    },
  };
}

/**
 * On PostgreSQL, what another instance changed is read at once instead of at the next poll (issue 27): a new
 * routing version, deliveries due now (accepted or released elsewhere), key states. Polling stays as it was,
 * and covers whatever a lost connection misses. SQLite: nothing to listen for.
 */
function listenForOtherInstances(deps: {
  store: Store;
  routing: RoutingState;
  sealing: StoredKeyRing;
  worker: DeliveryControl | undefined;
  logger: Logger;
}) {
  const { logger } = deps;
  const refreshed = (what: string) => (error: unknown) => {
    logger.warn({ errorClass: (error as Error).name }, `${what} refresh after a notice failed`);
  };
  const handlers: Record<ChangeTopic, () => void> = {
    routing: () => {
      // A version taken here is passed on to the delivery thread (noticeRoutingChanges).
      deps.routing.refresh().catch(refreshed('routing'));
    },
    deliveries: () => deps.worker?.kick(),
    keys: () => {
      deps.sealing.refresh().catch(refreshed('key state'));
    },
  };
  return deps.store.listenForChanges({
    onChange: (topic) => {
      handlers[topic]();
    },
    onListening: () => {
      logger.info("listening for the other instances' changes");
    },
    onLost: (error) => {
      logger.warn(
        { errorClass: error.name },
        "not listening for the other instances' changes; polling meanwhile, reconnecting",
      );
    },
  });
}
