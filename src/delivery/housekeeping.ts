import type { GatewayConfig } from '../config/gateway-schema.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';
import type { PurgeCounts } from '../store/types.js';
import { retentionPlan } from './retention-plan.js';

/**
 * Deletes what has expired, on a timer (docs/retention.md): sealed messages, escrow copies, idempotency
 * keys and event logs of final submissions by their service's periods, and old audit records. Every run
 * that deleted something leaves an audit record of how much; runs on several instances do not conflict.
 */
export function startHousekeeping(options: {
  store: Store;
  logger: Logger;
  clock: () => Date;
  retention: GatewayConfig['retention'];
}): { runOnce(): Promise<PurgeCounts>; stop(): void } {
  const runOnce = async () => {
    const now = options.clock();
    const counts = await options.store.purgeExpired(retentionPlan(options.retention, now), false);
    if (Object.values(counts).some((n) => n > 0)) {
      options.logger.info(counts, 'housekeeping deleted expired data');
      await options.store.appendAudit({
        at: now.toISOString(),
        actor: 'housekeeping',
        action: 'retention.purge',
        detail: { ...counts },
      });
    }
    return counts;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => {
      options.logger.warn({ errorClass: (error as Error).name }, 'housekeeping failed');
    });
  }, options.retention.purgeIntervalMinutes * 60_000);
  timer.unref();
  return {
    runOnce,
    stop: () => {
      clearInterval(timer);
    },
  };
}
