import type { GatewayConfig } from '../config/gateway-schema.js';
import type { PurgeGroup, PurgePlan } from '../store/types.js';

type Retention = GatewayConfig['retention'];
const dayMs = 86_400_000;

/**
 * Turns the configured periods into cutoff times at `now`: one group per service with periods of its
 * own, and one for every other service with the defaults.
 */
export function retentionPlan(retention: Retention, now: Date): PurgePlan {
  const before = (days: number) => new Date(now.getTime() - days * dayMs).toISOString();
  const cutoffs = (
    periods: Partial<Pick<Retention, 'sealedMessageDays' | 'escrowDays' | 'idempotencyKeyDays' | 'eventLogDays'>>,
  ): PurgeGroup['cutoffs'] => ({
    sealedMessages: before(periods.sealedMessageDays ?? retention.sealedMessageDays),
    escrowCopies: before(periods.escrowDays ?? retention.escrowDays),
    idempotencyKeys: before(periods.idempotencyKeyDays ?? retention.idempotencyKeyDays),
    eventLogs: before(periods.eventLogDays ?? retention.eventLogDays),
  });
  const overridden = Object.keys(retention.services);
  const groups: PurgeGroup[] = Object.entries(retention.services).map(([service, periods]) => ({
    services: { only: [service] },
    cutoffs: cutoffs(periods),
  }));
  groups.push({ services: { except: overridden }, cutoffs: cutoffs({}) });
  return {
    now: now.toISOString(),
    groups,
    auditCutoff: before(retention.auditDays),
    replyCutoff: before(retention.replyDays),
  };
}
