import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';

/**
 * Deletes what is no longer needed, on a timer: expired idempotency keys, and escrow copies whose
 * submission is done and whose retention period is over.
 */
export function startHousekeeping(options: { store: Store; logger: Logger; clock: () => Date; escrowDays: number; intervalMs: number }): { runOnce(): Promise<void>; stop(): void } {
  const runOnce = async () => {
    const now = options.clock();
    const keys = await options.store.purgeIdempotencyKeys(now.toISOString());
    const escrow = await options.store.purgeEscrowCopies(new Date(now.getTime() - options.escrowDays * 86_400_000).toISOString());
    if (keys + escrow > 0) options.logger.info({ idempotencyKeys: keys, escrowCopies: escrow }, 'housekeeping deleted expired data');
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => {
      options.logger.warn({ errorClass: (error as Error).name }, 'housekeeping failed');
    });
  }, options.intervalMs);
  timer.unref();
  return { runOnce, stop: () => { clearInterval(timer); } };
}
