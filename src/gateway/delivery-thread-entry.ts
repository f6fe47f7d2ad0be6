import { parentPort, workerData } from 'node:worker_threads';
import type { BreakerState } from '../delivery/circuit-breakers.js';
import { AmtsboteError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { startRoutingState } from '../routing/routing-state.js';
import { installUint8ArrayToBase64 } from '../seal/lib/uint8array-to-base64.js';
import { openStore } from '../store/open-store.js';
import {
  ForwardedFailure,
  type DeliveryThreadData,
  type FromThread,
  type Observation,
  type ReceiptInput,
  type ToThread,
} from './delivery-thread-protocol.js';
import type { DeliveryObserver } from './delivery-wiring.js';
import { wireDeliveryWorker } from './delivery-wiring.js';
import { gatewayFitConnectDirectories } from './fitconnect-directories.js';
import { recipientKeyResolver } from './seal-setup.js';

/**
 * The delivery thread (issue 26): the outbox worker with its own store connection, routing state, adapters
 * and breakers, so a delivery burst and intake no longer share one event loop. It takes the gateway's settings
 * from the main thread (DeliveryThreadData) and loads no configuration files; it never maps, validates, signs or
 * seals (intake does), and receipts it fetches are recorded by the main thread, which releases deferred deliveries
 * from the escrow copy (delivery-thread.ts).
 */
const port = parentPort;
if (port) await run(port, workerData as DeliveryThreadData);

async function run(port: NonNullable<typeof parentPort>, data: DeliveryThreadData): Promise<void> {
  installUint8ArrayToBase64();
  const send = (message: FromThread) => {
    port.postMessage(message);
  };
  // Log lines and observations leave in one message per event-loop turn: one postMessage per attempt, not three.
  let logs: string[] = [];
  let observations: Observation[] = [];
  // The worker's breaker states as JSON, once the worker runs.
  const breakers: { read?: () => string } = {};
  let sentBreakers = '{}';
  let flushing = false;
  const flush = () => {
    flushing = false;
    const states = breakers.read?.() ?? sentBreakers;
    if (logs.length === 0 && observations.length === 0 && states === sentBreakers) return;
    const changed = states !== sentBreakers;
    sentBreakers = states;
    send({
      type: 'batch',
      logs,
      observations,
      ...(changed ? { breakers: JSON.parse(states) as Record<string, BreakerState> } : {}),
    });
    logs = [];
    observations = [];
  };
  const soon = () => {
    if (flushing) return;
    flushing = true;
    setImmediate(flush);
  };
  // The same pino configuration as the gateway's (createLogger: redaction, fields); the main thread writes the
  // serialised lines to its own destination.
  const logger = createLogger({
    level: data.logLevel,
    destination: {
      write(line: string) {
        logs.push(line);
        soon();
      },
    },
  });
  const observe = (observation: Observation) => {
    observations.push(observation);
    soon();
  };
  const observer: DeliveryObserver = {
    recordAttempt: (...args) => {
      observe(['attempt', ...args]);
    },
    recordIgnoredReceipt: (...args) => {
      observe(['ignored-receipt', ...args]);
    },
    recordReceiptPoll: (...args) => {
      observe(['receipt-poll', ...args]);
    },
    recordPollLease: (...args) => {
      observe(['poll-lease', ...args]);
    },
    recordHeldReceipt: (...args) => {
      observe(['held-receipt', ...args]);
    },
  };

  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const recordReceipt = (input: ReceiptInput) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      flush(); // the lines before it first, so the log keeps its order
      send({ type: 'record-receipt', id, input });
    });

  const clock = () => new Date();
  const config = data.config;
  let services = new Set(data.services);
  // The main thread opened and migrated the store before starting this thread.
  const store = await openStore(config, logger, { migrate: false });
  const fitConnect = gatewayFitConnectDirectories(config, clock);
  const resolver = await recipientKeyResolver(config, logger, { directories: fitConnect, now: clock });
  const routing = await startRoutingState({
    store,
    seed: undefined,
    knownServices: () => services,
    fileDropRoot: config.fileDropRoot,
    logger,
    now: clock,
    pollMs: config.gateway.routingPollSeconds * 1000,
  });
  const worker = wireDeliveryWorker({
    config,
    store,
    routing,
    resolver,
    fitConnect,
    observer,
    recordReceipt,
    logger,
    clock,
  });
  breakers.read = () => JSON.stringify(worker.breakers.states());
  // An open circuit turns half-open by the clock alone: look once a second whether the states changed.
  const breakerWatch = setInterval(soon, 1000);

  port.on('message', (message: ToThread) => {
    switch (message.type) {
      case 'kick':
        worker.kick();
        break;
      case 'routing':
        routing.refresh().catch((error: unknown) => {
          logger.warn({ errorClass: (error as Error).name }, 'routing refresh after a notice failed');
        });
        break;
      case 'services':
        services = new Set(message.services);
        break;
      case 'receipt-recorded': {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        const failure = message.failure;
        if (!failure) waiting?.resolve();
        else if (failure.refused)
          waiting?.reject(new AmtsboteError(failure.code, failure.detail, [], failure.extensions));
        else waiting?.reject(new ForwardedFailure(failure.errorClass));
        break;
      }
      case 'stop':
        void stop(message.graceMs);
        break;
    }
  });

  const stop = async (graceMs: number) => {
    clearInterval(breakerWatch);
    try {
      await worker.stop(graceMs);
    } finally {
      routing.stop();
      await fitConnect.close();
      await store.close();
      flush();
      send({ type: 'stopped' });
      // Keep-alive sockets of the adapters' agents would hold the thread open: it has nothing left to do.
      port.close();
      process.exit(0);
    }
  };
  send({ type: 'ready' });
}
