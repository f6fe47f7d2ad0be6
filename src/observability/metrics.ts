import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../delivery/circuit-breakers.js';

const breakerValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The gateway's metrics (prom-client), prefixed `amtsbote_`. Labels are bounded sets only — destination
 * ids and outcomes from configuration — never submission ids or anything a portal sends.
 */
export function createMetrics() {
  const registry = new Registry();
  const deliveryAttempts = new Counter({
    name: 'amtsbote_delivery_attempts_total',
    help: 'Delivery attempts by destination and outcome',
    labelNames: ['destination', 'outcome'] as const,
    registers: [registry],
  });
  const deliveryDuration = new Histogram({
    name: 'amtsbote_delivery_attempt_duration_seconds',
    help: 'Duration of delivery attempts',
    labelNames: ['destination'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const ignoredReceipts = new Counter({
    name: 'amtsbote_receipts_ignored_total',
    help: 'Fetched events (SETs) ignored because they failed verification or did not fit the delivery, by destination and reason',
    labelNames: ['destination', 'reason'] as const,
    registers: [registry],
  });
  let breakerStates: () => Record<string, BreakerState> = () => ({});
  new Gauge({
    name: 'amtsbote_circuit_breaker_state',
    help: 'Circuit breaker per destination on this instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['destination'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [destination, state] of Object.entries(breakerStates())) this.set({ destination }, breakerValue[state]);
    },
  });
  return {
    registry,
    recordAttempt(destination: string, outcome: string, durationMs: number) {
      deliveryAttempts.inc({ destination, outcome });
      deliveryDuration.observe({ destination }, durationMs / 1000);
    },
    recordIgnoredReceipt(destination: string, reason: string) {
      ignoredReceipts.inc({ destination, reason });
    },
    /** Where breaker states come from (the delivery worker), read at each scrape. */
    watchBreakers(states: () => Record<string, BreakerState>) {
      breakerStates = states;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
