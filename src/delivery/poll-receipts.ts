import type { Adapter, PolledReceipt, PollResult } from '../adapters/types.js';
import type { Destination } from '../config/routing-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { PollableDelivery } from '../store/sql/list-pollable.js';
import type { Store } from '../store/store.js';

/** Records a receipt a poll fetched from its transport, for one delivery. */
export type RecordPolledReceipt = (input: {
  deliveryId: string;
  destinationId: string;
  submissionId: string;
  set: string;
  receipt: PolledReceipt;
}) => Promise<unknown>;

export interface ReceiptPollingOptions {
  store: Store;
  routing: () => CurrentRouting;
  /** The worker's adapter for a destination (one instance per destination, shared with deliveries). */
  adapterFor: (destination: Destination) => Adapter;
  logger: Logger;
  clock: () => Date;
  /** Who writes the audit entries. */
  actor: string;
  /** The longest one poll may take. */
  timeoutMs: number;
  /** How often to look for destinations whose polls are due (each has its own interval). */
  tickMs: number;
  /** Records a fetched receipt; throws an AmtsboteError (with `reason`) when it does not fit the delivery. */
  recordReceipt: RecordPolledReceipt;
  onIgnoredReceipt?: ((destinationId: string, reason: string) => void) | undefined;
  /** An event a poll could not verify yet and will try again (`PollResult.held`): for the metric. */
  onHeldReceipt?: ((destinationId: string, reason: string) => void) | undefined;
}

/**
 * What a delivery's `lastError` says about its receipt polling, where the admin API and page show it: an event
 * held at the read position (shown while it is held), else an event skipped for good (shown until another
 * replaces it: evidence that something broken or forged arrived), else nothing new to say.
 */
export function pollNote(result: PollResult, current: string | undefined): string | null | undefined {
  if (result.held) return `${heldPrefix}${result.held.reason}`;
  const last = result.invalid.at(-1);
  if (last) return `${ignoredPrefix}${last.reason}`;
  return current?.startsWith(heldPrefix) ? null : undefined;
}
const heldPrefix = 'receipt-held:';
const ignoredPrefix = 'receipt-ignored:';

/** Delivered messages polled per destination and round. */
const pollPage = 200;

/**
 * Receipts that must be fetched (adapters with `poll`, such as FIT-Connect's event log): every
 * `pollIntervalMs`, each such destination's delivered messages are polled one after the other, a page per
 * round. A verified receipt is recorded like one posted to the events API; events that fail verification are
 * ignored, logged, audited and counted — reasons only, never key material. An event the adapter could not
 * verify yet (`held`: its key is unknown yet) is counted at every poll, audited once, and shown as the
 * delivery's `lastError` until it verifies; the adapter keeps its read position before it.
 */
export function startReceiptPolling(options: ReceiptPollingOptions): { stop(): Promise<void> } {
  const { store, logger, clock } = options;
  let running = true;
  let wake: (() => void) | undefined;
  // A poll only reads: on stop it is aborted at once rather than waited for.
  const stopping = new AbortController();
  /** Read through a function: `stop()` changes `running` while a round awaits, which flow analysis cannot see. */
  const stopped = () => !running;

  const pollOne = async (delivery: PollableDelivery, destination: Destination, poll: NonNullable<Adapter['poll']>) => {
    const ids = { messageId: delivery.id, destinationId: destination.id };
    let result;
    try {
      result = await poll(
        delivery.adapterState,
        AbortSignal.any([AbortSignal.timeout(options.timeoutMs), stopping.signal]),
      );
    } catch (error) {
      // Adapters report an unreadable transport as `unavailable`; a throw is a bug, logged by its class.
      logger.warn({ ...ids, errorClass: (error as Error).name }, 'receipt poll failed');
      return;
    }
    if (result.kind === 'unavailable') {
      logger.warn({ ...ids, errorClass: result.reason }, 'receipt poll failed');
      return;
    }
    const ignored = async (reason: string, issuer?: string) => {
      logger.warn({ ...ids, reason, issuer }, 'ignored an event that failed verification');
      options.onIgnoredReceipt?.(destination.id, reason);
      await store.appendAudit({
        at: clock().toISOString(),
        actor: options.actor,
        action: 'receipt-ignored',
        detail: { ...ids, reason, ...(issuer ? { issuer } : {}) },
      });
    };
    for (const entry of result.invalid) await ignored(entry.reason, entry.issuer);
    const note = pollNote(result, delivery.lastError);
    if (result.held) {
      const { reason, issuer } = result.held;
      options.onHeldReceipt?.(destination.id, reason);
      // Tried again at every poll: logged and audited when it starts (or its reason changes), counted each time.
      if (note !== delivery.lastError) {
        logger.warn({ ...ids, reason, issuer }, 'an event cannot be verified yet; the poll will try it again');
        await store.appendAudit({
          at: clock().toISOString(),
          actor: options.actor,
          action: 'receipt-held',
          detail: { ...ids, reason, ...(issuer ? { issuer } : {}) },
        });
      } else logger.debug({ ...ids, reason }, 'an event still cannot be verified');
    }
    // Before the receipt is recorded: afterwards the delivery is final and keeps what it says then.
    if (note !== undefined && note !== (delivery.lastError ?? null))
      await store.savePolledState(delivery.id, undefined, note);
    let mismatch: string | undefined;
    if (result.receipt) {
      try {
        await options.recordReceipt({
          deliveryId: delivery.id,
          destinationId: destination.id,
          submissionId: delivery.submissionId,
          set: result.receipt.set,
          receipt: result.receipt,
        });
        logger.info({ ...ids, state: result.receipt.kind }, 'receipt fetched');
      } catch (error) {
        if (!(error instanceof AmtsboteError)) {
          // The store failed: keep the read position, so the next poll finds the receipt again.
          logger.error({ ...ids, errorClass: (error as Error).name }, 'recording a fetched receipt failed');
          return;
        }
        const reason = typeof error.extensions.reason === 'string' ? error.extensions.reason : error.code;
        // Another instance (or an earlier round) recorded it first: nothing is wrong.
        if (reason === 'already-final' || reason === 'replayed')
          logger.debug({ ...ids, reason }, 'fetched receipt already recorded');
        else {
          await ignored(reason);
          mismatch = `${ignoredPrefix}${reason}`;
        }
      }
    }
    if (result.state !== undefined || mismatch !== undefined)
      await store.savePolledState(delivery.id, result.state, mismatch);
  };

  const loop = async () => {
    const lastRound = new Map<string, number>();
    const cursors = new Map<string, string | undefined>();
    while (running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.tickMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      for (const destination of options.routing().routing.destinations) {
        if (stopped()) break;
        if (!destination.enabled) continue;
        const adapter = options.adapterFor(destination);
        const poll = adapter.poll?.bind(adapter);
        if (!poll) continue;
        const now = clock().getTime();
        if (now - (lastRound.get(destination.id) ?? 0) < (adapter.pollIntervalMs ?? 60_000)) continue;
        lastRound.set(destination.id, now);
        try {
          // Keyset paging across rounds: a long backlog is worked through a page per round, none starved.
          const due = await store.listPollable({
            destinationIds: [destination.id],
            after: cursors.get(destination.id),
            limit: pollPage,
          });
          cursors.set(destination.id, due.length === pollPage ? due.at(-1)?.id : undefined);
          for (const delivery of due) {
            if (stopped()) break;
            await pollOne(delivery, destination, poll);
          }
        } catch (error) {
          logger.error(
            { destinationId: destination.id, errorClass: (error as Error).name },
            'receipt poll round failed',
          );
        }
      }
    }
  };
  const looping = loop();

  return {
    async stop() {
      running = false;
      wake?.();
      stopping.abort(new Error('shutdown'));
      await looping;
    },
  };
}
