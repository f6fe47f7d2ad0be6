import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExponentialBackoff, handleAll, noJitterGenerator, retry } from 'cockatiel';
import { pino, type DestinationStream } from 'pino';
import type { ConfigFiles } from '../config/load.js';
import type { BreakerState } from '../delivery/circuit-breakers.js';
import { recordReceipt, type ReceiptContext } from '../delivery/receive-receipt.js';
import type { DeliveryControl } from '../delivery/worker.js';
import { AmtsboteError, ConfigError, UnavailableError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { threadResourceLimits } from '../lib/thread-heap.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  DeliveryConfig,
  DeliveryThreadData,
  ForwardedError,
  FromThread,
  Observation,
  ReceiptInput,
  ToThread,
} from './delivery-thread-protocol.js';

export interface DeliveryThread extends DeliveryControl {
  /** The routing changed here or at another instance: the thread reads the newest version now. */
  routingChanged(): void;
  /** A reload changed the configured services. */
  servicesChanged(services: string[]): void;
  /** The running thread's id (0 never: that is the main thread), for tests and the log. */
  readonly threadId: number | undefined;
  /** Settles when a thread first takes work (the gateway does not wait for it: see startDeliveryThread). */
  readonly running: Promise<void>;
}

/** What the thread is sent of the configuration: the settings and folders, not services, mappings or routing. */
export function deliveryConfig(config: ConfigFiles): DeliveryConfig {
  const { configFile, configDir, dataDir, fileDropRoot, gateway } = config;
  return { configFile, configDir, dataDir, fileDropRoot, gateway };
}

/** The longest pause before a crashed delivery thread is started again. */
const maxRestartDelayMs = 30_000;

/**
 * Runs the outbox worker in a thread of its own (delivery-thread-entry.ts) and stands in for it on the main
 * thread: kicks and routing notices go there; log lines, metric observations and breaker states come back,
 * and receipts it fetches are recorded here (they may release deferred deliveries, which seals from escrow
 * with the main thread's keys and configuration).
 *
 * A thread that dies is logged and started again after a pause that doubles up to 30 s: intake goes on
 * meanwhile, the deliveries it held are claimed again when their leases run out, and nothing accepted is lost
 * (the outbox is in the store). The first start is not waited for: the thread loads its modules and opens the
 * store while the gateway finishes its own start (about 0.8 s of a 2.4 s start, idle, on two cores); a first
 * start that fails is logged and tried again like a restart. The settings it gets were checked by the main
 * thread, so what can fail then is the store or the installation, which the log names.
 */
export function startDeliveryThread(deps: {
  config: DeliveryConfig;
  services: () => string[];
  logger: Logger;
  metrics: Metrics;
  receipts: ReceiptContext;
  /** The pause before the first restart, doubling up to the longest (tests shorten them). */
  restartDelays?: { firstMs: number; maxMs: number };
  /** The thread's code: delivery-thread-entry.js of the build unless a test names another. */
  entry?: URL;
}): DeliveryThread {
  const { logger, metrics } = deps;
  const entry = deps.entry ?? threadEntry();
  // The thread's lines are serialised by its own pino with the same configuration: written as they are.
  const destination = (logger as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym];
  if (!destination) throw new ConfigError('the logger has no destination stream for the delivery thread');
  let breakerStates: Record<string, BreakerState> = {};
  let current: Worker | undefined;
  let stopping: Promise<void> | undefined;
  const restarting = new AbortController();
  const restartDelays = { firstMs: 1000, maxMs: maxRestartDelayMs, ...deps.restartDelays };
  let kickPosted = false;

  const post = (message: ToThread) => {
    current?.postMessage(message);
  };
  const replay: { [K in Observation[0]]: (o: Extract<Observation, [K, ...unknown[]]>) => void } = {
    attempt: ([, d, outcome, ms]) => {
      metrics.recordAttempt(d, outcome, ms);
    },
    'ignored-receipt': ([, d, reason]) => {
      metrics.recordIgnoredReceipt(d, reason);
    },
    'receipt-poll': ([, d]) => {
      metrics.recordReceiptPoll(d);
    },
    'poll-lease': ([, d, held]) => {
      metrics.recordPollLease(d, held);
    },
    'held-receipt': ([, d, reason]) => {
      metrics.recordHeldReceipt(d, reason);
    },
  };
  const recordFor = (thread: Worker, id: number, input: ReceiptInput) => {
    recordReceipt(deps.receipts, input).then(
      () => {
        thread.postMessage({ type: 'receipt-recorded', id } satisfies ToThread);
      },
      (error: unknown) => {
        const failure: ForwardedError =
          error instanceof AmtsboteError
            ? { refused: true, code: error.code, detail: error.message, extensions: error.extensions }
            : { refused: false, errorClass: (error as Error).name };
        thread.postMessage({ type: 'receipt-recorded', id, failure } satisfies ToThread);
      },
    );
  };

  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      const data: DeliveryThreadData = { config: deps.config, logLevel: logger.level, services: deps.services() };
      const thread = new Worker(entry, {
        workerData: data,
        name: 'amtsbote-delivery',
        resourceLimits: threadResourceLimits,
      });
      let ready = false;
      let failure: Error | undefined;
      thread.on('message', (message: FromThread) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            current = thread;
            markRunning();
            logger.info({ threadId: thread.threadId }, 'delivery worker running in its own thread');
            resolve();
            break;
          case 'batch':
            for (const line of message.logs) destination.write(line);
            for (const o of message.observations) (replay[o[0]] as (o: Observation) => void)(o);
            if (message.breakers) breakerStates = message.breakers;
            break;
          case 'record-receipt':
            recordFor(thread, message.id, message.input);
            break;
          case 'stopped':
            break;
        }
      });
      thread.on('error', (error) => {
        failure = error;
        logger.error({ errorClass: error.name, threadId: thread.threadId }, 'the delivery thread failed');
      });
      thread.on('exit', (code) => {
        if (current === thread) current = undefined;
        breakerStates = {};
        if (!ready) {
          reject(
            new ConfigError(
              `the delivery thread did not start (${failure?.name ?? `exit code ${code}`})`,
              [],
              {},
              {
                cause: failure,
              },
            ),
          );
          return;
        }
        if (stopping) return;
        logger.error(
          { exitCode: code, restartInSeconds: restartDelays.firstMs / 1000 },
          'the delivery thread stopped unexpectedly; starting it again',
        );
        restart();
      });
    });

  // A thread that stopped is started again on cockatiel's back-off until one start succeeds or the gateway
  // stops: a start can fail for as long as the store is unreachable, and giving up would leave intake
  // accepting into an outbox nobody delivers from.
  // cockatiel sleeps out a back-off even when aborted and then calls once more: the call checks the signal, and
  // the timer is unref'd so that a stopped gateway's process does not wait for it.
  const restartPolicy = retry(handleAll, {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    backoff: new ExponentialBackoff({
      initialDelay: restartDelays.firstMs * 2,
      maxDelay: restartDelays.maxMs,
      generator: noJitterGenerator,
    }),
  }).dangerouslyUnref();
  restartPolicy.onRetry(({ delay }) => {
    logger.error({ restartInSeconds: delay / 1000 }, 'the delivery thread could not be started again');
  });
  let starting: Promise<void> | undefined;
  const startAgain = ({ signal }: { signal: AbortSignal }) => {
    if (signal.aborted) throw new UnavailableError('the gateway is stopping: the delivery thread is not started');
    starting = spawn();
    return starting;
  };
  const restart = () => {
    const signal = restarting.signal;
    void sleep(restartDelays.firstMs, undefined, { signal })
      .then(() => restartPolicy.execute(startAgain, signal))
      // Only a stop ends the attempts (it waits for a start under way, then stops that thread).
      .catch(() => undefined);
  };

  let markRunning = () => {};
  const running = new Promise<void>((resolve) => {
    markRunning = resolve;
  });
  starting = spawn();
  starting.catch((error: unknown) => {
    logger.error({ errorClass: (error as Error).name }, 'the delivery thread did not start; starting it again');
    if (!stopping) restart();
  });
  return {
    running,
    kick() {
      // Every intake commit kicks: one message per event-loop turn is enough.
      if (kickPosted) return;
      kickPosted = true;
      setImmediate(() => {
        kickPosted = false;
        post({ type: 'kick' });
      });
    },
    breakers: { states: () => breakerStates },
    routingChanged: () => {
      post({ type: 'routing' });
    },
    servicesChanged: (services) => {
      post({ type: 'services', services });
    },
    get threadId() {
      return current?.threadId;
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        restarting.abort();
        await starting?.catch(() => undefined);
        const thread = current;
        if (!thread) return;
        const exited = new Promise<void>((resolve) =>
          thread.once('exit', () => {
            resolve();
          }),
        );
        thread.postMessage({ type: 'stop', graceMs } satisfies ToThread);
        // The thread aborts its attempts after graceMs; one that does not end even then is ended here.
        const last = setTimeout(() => void thread.terminate(), graceMs + 30_000);
        await exited;
        clearTimeout(last);
      })();
      return stopping;
    },
  };
}

/**
 * The thread runs compiled JavaScript: next to this file in dist/, or — when the gateway runs from the TypeScript
 * sources (the tests) — the build's copy, which `npm run build` makes.
 */
function threadEntry(): URL {
  const sibling = new URL('./delivery-thread-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = new URL('../../dist/src/gateway/delivery-thread-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new ConfigError('the delivery thread runs compiled code: run `npm run build` first');
}
