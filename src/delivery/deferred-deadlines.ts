import type { Logger } from '../lib/logger.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { OverdueDeferred } from '../store/sql/list-overdue-deferred.js';
import type { Store } from '../store/store.js';
import { releaseFromEscrow } from './release-from-escrow.js';
import type { Reroute } from './reroute.js';

/**
 * Why a deferred delivery became a dead letter (its `lastError`, shown on the admin page): a contract, as the
 * adapters' reasons are.
 */
export const deferredDeadLetterReasons = {
  /** Its rule says `dead-letter`, and its trigger was not accepted within `maxWait`. */
  timeout: 'deferred-timeout',
  /** Its trigger was dead-lettered itself: nothing will ever accept it. */
  triggerDeadLettered: 'deferred-trigger-dead-lettered',
  /** Its trigger is gone (not in the store), or its own destination is no longer routed. */
  orphaned: 'deferred-orphaned',
} as const;

export interface DeadlineRound {
  released: number;
  deadLettered: number;
}

/** Deferred deliveries decided per round; the rest wait for the next one, which follows at once. */
const page = 100;

/**
 * Nothing waits forever (issue 27): a deferred delivery waits for its trigger's accept until the deadline
 * fixed at receipt (`maxWait`). Then, if the rule says `release` and the trigger has at least been delivered
 * (the procedure took the case but does not confirm), it is sealed from the escrow copy and sent; if the
 * trigger is not even delivered, it waits on (and counts as overdue) until it is. If the rule says
 * `dead-letter`, it becomes a visible dead letter with the reason, for an operator to replay. A trigger that
 * is itself a dead letter makes it one too. Every instance sweeps; the store's conditional updates let one
 * of them win each delivery.
 */
export function startDeferredDeadlines(options: {
  store: Store;
  routing: () => CurrentRouting;
  reroute: Reroute;
  clock: () => Date;
  logger: Logger;
  intervalMs?: number;
  /** Told when deliveries were released (the worker should look for due ones now). */
  onReleased?: () => void;
}): { runOnce(): Promise<DeadlineRound>; stop(): void } {
  const { store, logger } = options;

  const decide = async (overdue: OverdueDeferred, now: Date): Promise<keyof DeadlineRound | undefined> => {
    const ids = { messageId: overdue.id, destinationId: overdue.destinationId };
    const deadLetter = async (reason: string) => {
      const done = await store.deadLetterDeferred({ deliveryId: overdue.id, reason, at: now.toISOString() });
      if (done) logger.warn({ ...ids, reason }, 'deferred delivery dead-lettered');
      return done ? ('deadLettered' as const) : undefined;
    };
    const trigger = overdue.triggerState;
    if (trigger === undefined) return deadLetter(deferredDeadLetterReasons.orphaned);
    if (trigger === 'dead-lettered') return deadLetter(deferredDeadLetterReasons.triggerDeadLettered);
    // accepted: its release was interrupted (a crash between the receipt and the sealing): release it now
    const releasable = trigger === 'accepted' || (overdue.onTimeout === 'release' && trigger === 'delivered');
    if (!releasable) return deadLetter(deferredDeadLetterReasons.timeout);
    const reason =
      trigger === 'accepted'
        ? 'its trigger was accepted'
        : `its trigger was delivered and did not confirm within the rule's maxWait (deadline ${overdue.deferredUntil})`;
    if (await releaseFromEscrow(options, overdue.id, now, reason)) {
      logger.info({ ...ids, trigger }, 'deferred delivery released at its deadline');
      return 'released';
    }
    // no longer routed: it cannot be sealed for anyone; a dead letter, replayable elsewhere with reroute
    const still = (await store.listDeliveries({ ids: [overdue.id], limit: 1 }))[0];
    return still?.state === 'deferred' ? deadLetter(deferredDeadLetterReasons.orphaned) : undefined;
  };

  const runOnce = async (): Promise<DeadlineRound> => {
    const round: DeadlineRound = { released: 0, deadLettered: 0 };
    for (let pages = 0; pages < 100; pages++) {
      const now = options.clock();
      const overdue = await store.listOverdueDeferred(now.toISOString(), page);
      let decided = 0;
      for (const entry of overdue) {
        try {
          const outcome = await decide(entry, now);
          if (outcome) {
            round[outcome]++;
            decided++;
          }
        } catch (error) {
          // sealing from escrow failed (a recipient key that cannot be fetched now): the next round tries again
          logger.warn(
            { messageId: entry.id, destinationId: entry.destinationId, errorClass: (error as Error).name },
            'deciding an overdue deferred delivery failed',
          );
        }
      }
      if (overdue.length < page || decided === 0) break;
    }
    if (round.released > 0) options.onReleased?.();
    return round;
  };

  let busy = false;
  const timer = setInterval(() => {
    // a round still running (a long backlog) is not joined by a second one
    if (busy) return;
    busy = true;
    runOnce()
      .catch((error: unknown) => {
        logger.warn({ errorClass: (error as Error).name }, 'deferred deadline round failed');
      })
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return {
    runOnce,
    stop() {
      clearInterval(timer);
    },
  };
}
