import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { transportReferences } from '../adapters/index.js';
import type { AdapterContext, Outcome } from '../adapters/types.js';
import { AmtsboteError, ConflictError } from '../lib/errors.js';
import type { Destination } from '../config/routing-schema.js';
import type { Logger } from '../lib/logger.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { AttemptRecord, ClaimedDelivery } from '../store/types.js';
import { BrokenCircuitError, type CircuitBreakers, CountedFailure, circuitBreakers } from './circuit-breakers.js';
import { deliveryTargets } from './delivery-targets.js';
import type { SecretRef } from '../lib/secret-ref.js';
import { transitionFor } from './outcome-transition.js';
import { startReceiptPolling, type RecordPolledReceipt } from './poll-receipts.js';
import { defaultRetry } from './retry-policy.js';

export interface WorkerOptions {
  store: Store;
  routing: () => CurrentRouting;
  adapterContext: AdapterContext;
  /** The callback secret reference gateway.yaml gives for a portal it names (delivery-targets.ts). */
  callbackSecret?: (portalId: string) => SecretRef | undefined;
  logger: Logger;
  clock?: () => Date;
  /** Attempts in flight at once on this instance. */
  concurrency?: number;
  /** How often to look for due deliveries when idle. */
  pollMs?: number;
  /** A claim's lease: longer than any attempt, renewed while one runs. */
  leaseMs?: number;
  /** The longest one attempt may take before it is aborted and retried. */
  attemptTimeoutMs?: number;
  workerId?: string;
  /** Observes every recorded attempt (metrics). */
  onAttempt?: (destinationId: string, outcome: AttemptRecord['outcome'], durationMs: number) => void;
  /** How often to look for destinations whose receipts are due to be fetched (poll-receipts.ts). */
  receiptPollTickMs?: number;
  /**
   * Records a receipt an adapter fetched (default: the store alone; the gateway also releases deferred
   * deliveries, as for receipts posted to the events API). Throws an AmtsboteError when it does not fit.
   */
  recordReceipt?: RecordPolledReceipt;
  /** Observes every fetched event that was ignored (metrics). */
  onIgnoredReceipt?: (destinationId: string, reason: string) => void;
  /** Observes every case whose receipts this instance polled, and taking or losing a destination's poll lease. */
  onPoll?: (destinationId: string) => void;
  onPollLease?: (destinationId: string, held: boolean) => void;
  /** A destination's poll lease from its poll interval (poll-receipts.ts; default three intervals, at least 15 s). */
  pollLeaseMs?: (pollIntervalMs: number) => number;
  /** Observes every fetched event a poll could not verify yet and will try again (metrics). */
  onHeldReceipt?: (destinationId: string, reason: string) => void;
}

export interface DeliveryWorker {
  /** Look for due deliveries now (after an intake commit) instead of at the next poll. */
  kick(): void;
  breakers: CircuitBreakers;
  /** Stops claiming, lets attempts in flight finish (aborting them after `graceMs`), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * What the rest of the gateway uses of a worker — in this thread, or in the delivery thread
 * (gateway/delivery-thread.ts), whose breaker states arrive as messages.
 */
export interface DeliveryControl extends Pick<DeliveryWorker, 'kick' | 'stop'> {
  breakers: Pick<CircuitBreakers, 'states'>;
}

/**
 * The outbox worker, top to bottom: claim due deliveries in small batches under a lease with a fencing
 * number, run each attempt through its destination's circuit breaker and adapter while renewing the lease,
 * and record the outcome only if the fence still holds. At-least-once: a message may arrive twice (after
 * a crash between the receiver's answer and the commit), always with the same message id.
 */
export function startDeliveryWorker(options: WorkerOptions): DeliveryWorker {
  const { store, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const concurrency = options.concurrency ?? 16;
  const pollMs = options.pollMs ?? 250;
  const leaseMs = options.leaseMs ?? 120_000;
  const wakeThreshold = Math.max(1, Math.floor(concurrency / 4));
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 60_000;
  const workerId = options.workerId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  // An open circuit means a destination stopped answering: a warning, since its deliveries now wait
  // (the attempts themselves are logged at info level, one line each).
  const breakers = circuitBreakers(Date.now, {
    onOpen: (destinationId, settings) => {
      logger.warn(
        {
          destinationId,
          consecutiveFailures: settings.consecutiveFailures,
          pauseSeconds: settings.halfOpenAfterSeconds,
        },
        'circuit breaker opened: the destination failed repeatedly; its deliveries wait and are retried after the pause',
      );
    },
    onClose: (destinationId) => {
      logger.info({ destinationId }, 'circuit breaker closed: the destination answers again');
    },
  });
  const targets = deliveryTargets({
    store,
    routing: options.routing,
    adapterContext: options.adapterContext,
    callbackSecret: options.callbackSecret,
  });
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  let running = true;
  let wake: (() => void) | undefined;

  const attemptKind: Record<Outcome['kind'], AttemptRecord['outcome']> = {
    delivered: 'delivered',
    'awaiting-pickup': 'awaiting-pickup',
    retry: 'retry',
    failed: 'failed',
  };

  const record = async (
    claim: ClaimedDelivery,
    destination: Destination | undefined,
    outcome: Outcome,
    started: Date,
  ) => {
    const now = clock();
    const durationMs = now.getTime() - started.getTime();
    const moved = transitionFor(claim, destination?.retry ?? defaultRetry, outcome, now);
    // The ids the transport assigned go into the event of the state change, so the log keeps them for support
    // (a portal callback's stand-in destination has no adapter config, and no such ids).
    const references =
      destination && 'adapter' in destination
        ? transportReferences(destination.adapter.kind, moved.adapterState)
        : undefined;
    const transition = { ...moved, references };
    const attempt: AttemptRecord = {
      worker: workerId,
      startedAt: started.toISOString(),
      durationMs,
      outcome: attemptKind[outcome.kind],
      httpStatus: 'httpStatus' in outcome ? outcome.httpStatus : undefined,
      errorClass: outcome.kind === 'retry' || outcome.kind === 'failed' ? outcome.reason.slice(0, 100) : undefined,
    };
    const recorded = await store.recordAttempt({
      id: claim.id,
      fence: claim.fence,
      attempt,
      transition,
      now: now.toISOString(),
    });
    if (!recorded) {
      logger.warn(
        { messageId: claim.id, destinationId: claim.destinationId, fence: claim.fence },
        'attempt outcome not recorded: the lease was lost to a newer claim',
      );
      return;
    }
    options.onAttempt?.(claim.destinationId, attempt.outcome, durationMs);
    logger.info(
      {
        messageId: claim.id,
        destinationId: claim.destinationId,
        outcome: attempt.outcome,
        state: transition.state,
        httpStatus: attempt.httpStatus,
        errorClass: attempt.errorClass,
        ms: durationMs,
      },
      'delivery attempt',
    );
  };

  const attempt = async (claim: ClaimedDelivery, abort: AbortController): Promise<void> => {
    const started = clock();
    const target = await targets.targetOf(claim);
    if ('failed' in target) {
      await record(claim, undefined, { kind: 'failed', reason: target.failed }, started);
      return;
    }
    const { destination } = target;
    if (!destination.enabled) {
      // A disabled destination keeps its deliveries: they wait until it is enabled again (or are replayed elsewhere).
      await store.releaseLease(claim.id, claim.fence, new Date(started.getTime() + 60_000).toISOString());
      return;
    }
    const message = await store.getSealedMessage(claim.id);
    if (!message) {
      await record(claim, destination, { kind: 'failed', reason: 'sealed-message-missing' }, started);
      return;
    }
    const renew = setInterval(
      () => {
        store
          .renewLease(claim.id, claim.fence, new Date(clock().getTime() + leaseMs).toISOString())
          .then((held) => {
            if (!held) abort.abort(new Error('lease lost'));
          })
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const timeout = setTimeout(() => {
      abort.abort(new Error('attempt timeout'));
    }, attemptTimeoutMs);
    // Progress saved mid-attempt is also what the outcome keeps when it brings no state of its own.
    const saveProgress = async (state: unknown) => {
      if (!(await store.saveAdapterState(claim.id, claim.fence, state))) {
        abort.abort(new Error('lease lost'));
        throw new ConflictError('lease lost');
      }
      claim.adapterState = state;
    };
    try {
      const adapter = target.adapter();
      const outbound = {
        messageId: claim.id,
        submissionId: claim.submissionId,
        destinationId: claim.destinationId,
        serviceKey: claim.serviceKey,
        contentType: message.contentType,
        body: message.body,
      };
      let outcome: Outcome;
      try {
        outcome = await breakers.forDestination(destination).execute(async () => {
          const result = await adapter.deliver(outbound, claim.adapterState, abort.signal, saveProgress);
          if (result.kind === 'retry') throw new CountedFailure(result);
          return result;
        });
      } catch (error) {
        if (error instanceof CountedFailure) outcome = error.outcome as Outcome;
        else if (error instanceof BrokenCircuitError) {
          // The circuit opened (or a probe is under way) since the claim: give the delivery back unattempted.
          await store.releaseLease(
            claim.id,
            claim.fence,
            new Date(clock().getTime() + destination.breaker.halfOpenAfterSeconds * 1000).toISOString(),
          );
          return;
        } else outcome = { kind: 'retry', reason: 'adapter-error' };
      }
      if (!running && abort.signal.aborted) {
        // Stopped mid-attempt: not the receiver's fault; the next start tries again at once.
        await store.releaseLease(claim.id, claim.fence, clock().toISOString());
        return;
      }
      await record(claim, destination, outcome, started);
    } finally {
      clearInterval(renew);
      clearTimeout(timeout);
    }
  };

  const loop = async () => {
    while (running) {
      const free = concurrency - inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        const now = clock();
        try {
          claimed = await store.claimDeliveries({
            owner: workerId,
            now: now.toISOString(),
            leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
            limit: Math.min(free, 32),
            excludeDestinations: breakers.open(),
          });
        } catch (error) {
          logger.error({ errorClass: (error as Error).name }, 'claiming deliveries failed');
        }
      }
      for (const claim of claimed) {
        const abort = new AbortController();
        const done = attempt(claim, abort)
          .catch((error: unknown) => {
            logger.error(
              { messageId: claim.id, errorClass: (error as Error).name },
              'delivery attempt failed unexpectedly',
            );
          })
          .finally(() => {
            inFlight.delete(claim.id);
            // Claim in batches: wake the loop once a quarter of the slots are free, not for every single one
            // (each claim is a synced commit).
            if (concurrency - inFlight.size >= wakeThreshold || inFlight.size === 0) wake?.();
          });
        inFlight.set(claim.id, { done, abort });
      }
      if (claimed.length === 0 || inFlight.size >= concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  };
  const looping = loop();

  const polling = startReceiptPolling({
    store,
    routing: options.routing,
    adapterFor: targets.adapterFor,
    logger,
    clock,
    actor: `worker:${workerId}`,
    timeoutMs: attemptTimeoutMs,
    tickMs: options.receiptPollTickMs ?? 1000,
    recordReceipt:
      options.recordReceipt ??
      (async (input) => {
        const outcome = await store.applyReceipt({ ...input, ...input.receipt, at: clock().toISOString() });
        if (!outcome.ok) throw new AmtsboteError('invalid-receipt', outcome.reason, [], { reason: outcome.reason });
      }),
    onIgnoredReceipt: options.onIgnoredReceipt,
    owner: workerId,
    leaseMs: options.pollLeaseMs,
    onPoll: options.onPoll,
    onLease: options.onPollLease,
    onHeldReceipt: options.onHeldReceipt,
  });

  return {
    kick: () => wake?.(),
    breakers,
    async stop(graceMs = 10_000) {
      running = false;
      wake?.();
      await Promise.all([looping, polling.stop()]);
      const pending = [...inFlight.values()];
      const grace = setTimeout(() => {
        for (const p of pending) p.abort.abort(new Error('shutdown'));
      }, graceMs);
      await Promise.all(pending.map((p) => p.done));
      clearTimeout(grace);
      await targets.close();
    },
  };
}
