import type { AdapterContext } from '../adapters/types.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';
import type { ConfigFiles } from '../config/load.js';
import type { RecordPolledReceipt } from '../delivery/poll-receipts.js';
import { startDeliveryWorker, type DeliveryWorker } from '../delivery/worker.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { KeyResolver } from '../seal/index.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';

/** What the delivery worker reports to the gateway's metrics (the main thread's Metrics, or the thread's relay). */
export type DeliveryObserver = Pick<
  Metrics,
  'recordAttempt' | 'recordIgnoredReceipt' | 'recordReceiptPoll' | 'recordPollLease' | 'recordHeldReceipt'
>;

/**
 * The outbox worker with the gateway's settings, metrics and receipt handling: the same wiring whether it
 * runs in its own thread (delivery-thread-entry.ts) or in the gateway's (an injected clock, tests).
 */
export function wireDeliveryWorker(deps: {
  config: Pick<ConfigFiles, 'configDir' | 'dataDir' | 'fileDropRoot' | 'gateway'>;
  store: Store;
  routing: RoutingState;
  resolver: KeyResolver;
  fitConnect: FitConnectDirectories;
  observer: DeliveryObserver;
  /** Receipts an adapter fetches (FIT-Connect's event log) are recorded as those posted to the events API. */
  recordReceipt: RecordPolledReceipt;
  logger: Logger;
  clock: () => Date;
}): DeliveryWorker {
  const { config, store, routing, observer, clock } = deps;
  // The FIT-Connect adapter takes the shared directories from its context (the other adapters ignore them).
  const adapterContext: AdapterContext & { fitConnect: FitConnectDirectories } = {
    dataDir: config.dataDir,
    fileDropRoot: config.fileDropRoot,
    configDir: config.configDir,
    outbound: config.gateway.outbound,
    now: clock,
    keys: deps.resolver,
    fitConnect: deps.fitConnect,
  };
  return startDeliveryWorker({
    store,
    onAttempt: (destination, outcome, ms) => {
      observer.recordAttempt(destination, outcome, ms);
    },
    routing: () => routing.current(),
    adapterContext,
    // gateway.yaml applies only on restart (a reload refuses a changed one), so the start's copy is the one in force.
    callbackSecret: (portalId) => config.gateway.portals.find((p) => p.id === portalId)?.callback?.secret,
    recordReceipt: deps.recordReceipt,
    onIgnoredReceipt: (destination, reason) => {
      observer.recordIgnoredReceipt(destination, reason);
    },
    onPoll: (destination) => {
      observer.recordReceiptPoll(destination);
    },
    onPollLease: (destination, held) => {
      observer.recordPollLease(destination, held);
    },
    onHeldReceipt: (destination, reason) => {
      observer.recordHeldReceipt(destination, reason);
    },
    logger: deps.logger,
    clock,
    concurrency: config.gateway.delivery.concurrency,
    pollMs: config.gateway.delivery.pollMs,
    leaseMs: config.gateway.delivery.leaseSeconds * 1000,
    attemptTimeoutMs: config.gateway.delivery.attemptTimeoutSeconds * 1000,
  });
}
