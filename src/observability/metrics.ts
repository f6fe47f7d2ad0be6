import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../delivery/circuit-breakers.js';
import type { DestinationStats } from '../store/types.js';
import type { DeferredAges } from '../store/sql/deferred-by-age.js';

const breakerValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** A destination key's end of validity (its `x5c` certificate), for the expiry gauge. */
export interface KeyExpiry {
  destination: string;
  purpose: 'encryption' | 'receipt';
  notAfter: string;
}

/**
 * The gateway's metrics (prom-client), prefixed `amtsbote_`. Labels are bounded sets only — destination
 * ids and outcomes from configuration, problem codes from errors.ts — never submission ids or anything a
 * portal sends.
 */
export function createMetrics(now: () => Date = () => new Date()) {
  const registry = new Registry();
  const intakeRequests = new Counter({
    name: 'amtsbote_intake_requests_total',
    help: 'Submissions received (POST /v1/submissions) by outcome and problem type (none when accepted)',
    labelNames: ['outcome', 'problem'] as const,
    registers: [registry],
  });
  const intakeDuration = new Histogram({
    name: 'amtsbote_intake_duration_seconds',
    help: 'Time from request to answer of POST /v1/submissions, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
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
  const heldReceipts = new Counter({
    name: 'amtsbote_receipts_held_total',
    help: 'Polls that stopped at a fetched event (SET) they could not verify yet — its key unknown or unavailable — and will try again, by destination and reason',
    labelNames: ['destination', 'reason'] as const,
    registers: [registry],
  });
  const processFaults = new Counter({
    name: 'amtsbote_process_faults_total',
    help: 'Errors no handler caught (uncaughtException, unhandledRejection) that the process guard logged and survived',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const droppedConnections = new Counter({
    name: 'amtsbote_http_connections_dropped_total',
    help: 'Connections to the portal port refused because listen.maxConnections were open',
    registers: [registry],
  });
  const inboundOutcomes = new Counter({
    name: 'amtsbote_fitconnect_inbound_pickups_total',
    help: "Pick-ups of FIT-Connect submissions (this gateway as a destination's subscriber) by destination and outcome",
    labelNames: ['destination', 'outcome'] as const,
    registers: [registry],
  });
  let readInbound: () => Promise<Record<string, number>> = () => Promise.resolve({});
  new Gauge({
    name: 'amtsbote_fitconnect_inbound_submissions',
    help: 'Picked-up FIT-Connect submissions by state (waiting: valid, but no routing or mapping yet)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries(await readInbound())) this.set({ state }, count);
    },
  });
  let breakerStates: () => Record<string, BreakerState> = () => ({});
  new Gauge({
    name: 'amtsbote_circuit_breaker_state',
    help: 'Circuit breaker per destination on this instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['destination'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [destination, state] of Object.entries(breakerStates()))
        this.set({ destination }, breakerValue[state]);
    },
  });

  // The queue gauges come from one store query per scrape, shared by the three of them.
  let readStats: (() => Promise<DestinationStats[]>) | undefined;
  let scrape: { at: number; stats: Promise<DestinationStats[]> } | undefined;
  const stats = (): Promise<DestinationStats[]> => {
    if (!readStats) return Promise.resolve([]);
    const at = Date.now();
    if (!scrape || at - scrape.at > 1000) scrape = { at, stats: readStats() };
    return scrape.stats;
  };
  const queueGauge = (name: string, help: string, value: (s: DestinationStats) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['destination'] as const,
      registers: [registry],
      async collect() {
        const rows = await stats();
        this.reset();
        for (const row of rows) {
          const v = value(row);
          if (v !== undefined) this.set({ destination: row.destinationId }, v);
        }
      },
    });
  queueGauge(
    'amtsbote_delivery_queue_depth',
    'Messages waiting for delivery (pending) per destination',
    (s) => s.waiting,
  );
  queueGauge(
    'amtsbote_delivery_oldest_pending_age_seconds',
    'Age of the oldest message waiting for delivery per destination',
    (s) =>
      s.oldestWaitingSince === undefined ? 0 : Math.max(0, (now().getTime() - Date.parse(s.oldestWaitingSince)) / 1000),
  );
  queueGauge('amtsbote_dead_letters', 'Dead-lettered messages per destination', (s) => s.deadLetters);

  const receiptPolls = new Counter({
    name: 'amtsbote_receipt_polls_total',
    help: 'Cases whose receipts this instance polled (FIT-Connect event logs), by destination: one instance polls each destination',
    labelNames: ['destination'] as const,
    registers: [registry],
  });
  const receiptPoller = new Gauge({
    name: 'amtsbote_receipt_poller',
    help: "1 while this instance holds the destination's poll lease (it polls the receipts), else 0",
    labelNames: ['destination'] as const,
    registers: [registry],
  });

  // Deferred deliveries from one store query per scrape, shared by the two gauges.
  let readDeferred: (() => Promise<DeferredAges[]>) | undefined;
  let deferredScrape: { at: number; ages: Promise<DeferredAges[]> } | undefined;
  const deferred = (): Promise<DeferredAges[]> => {
    if (!readDeferred) return Promise.resolve([]);
    const at = Date.now();
    if (!deferredScrape || at - deferredScrape.at > 1000) deferredScrape = { at, ages: readDeferred() };
    return deferredScrape.ages;
  };
  new Gauge({
    name: 'amtsbote_deferred_deliveries',
    help: "Deferred deliveries (waiting for another destination's accept) by destination and age since receipt",
    labelNames: ['destination', 'age'] as const,
    registers: [registry],
    async collect() {
      const rows = await deferred();
      this.reset();
      for (const row of rows)
        for (const [age, n] of Object.entries(row.byAge)) this.set({ destination: row.destinationId, age }, n);
    },
  });
  new Gauge({
    name: 'amtsbote_deferred_overdue',
    help: 'Deferred deliveries past their deadline, by destination: they wait for a trigger not yet delivered',
    labelNames: ['destination'] as const,
    registers: [registry],
    async collect() {
      const rows = await deferred();
      this.reset();
      for (const row of rows) this.set({ destination: row.destinationId }, row.overdue);
    },
  });

  // The intake pool's admission (issue 26): how close intake is to answering 503 `unavailable`.
  let intakePool: () => { tasks: number; capacity: number } | undefined = () => undefined;
  const intakePoolGauge = (name: string, help: string, of: 'tasks' | 'capacity') =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(intakePool()?.[of] ?? 0);
      },
    });
  intakePoolGauge(
    'amtsbote_intake_pool_tasks',
    'Intake tasks admitted to the worker threads: running or waiting for a thread (0 without the pool)',
    'tasks',
  );
  intakePoolGauge(
    'amtsbote_intake_pool_capacity',
    'Intake tasks the worker threads admit at once, beyond: 503 with Retry-After (0 without the pool)',
    'capacity',
  );

  let keyExpiries: () => Promise<KeyExpiry[]> = () => Promise.resolve([]);
  new Gauge({
    name: 'amtsbote_destination_key_expiry_timestamp_seconds',
    help: "End of validity (Unix time) of a destination key's x5c certificate, by destination and purpose",
    labelNames: ['destination', 'purpose'] as const,
    registers: [registry],
    async collect() {
      const expiries = await keyExpiries();
      this.reset();
      for (const e of expiries)
        this.set({ destination: e.destination, purpose: e.purpose }, Math.floor(Date.parse(e.notAfter) / 1000));
    },
  });

  const replyOutcomes = new Counter({
    name: 'amtsbote_replies_total',
    help: 'Replies (issue 24) by kind and outcome: received, fetched by the portal, confirmed accepted or rejected',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const refusedReplies = new Counter({
    name: 'amtsbote_replies_refused_total',
    help: 'Replies refused at POST /v1/replies, by reason (a refusal reason or problem code, never content)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  let readUndeliveredReplies: () => Promise<Record<string, number>> = () => Promise.resolve({});
  new Gauge({
    name: 'amtsbote_replies_undelivered',
    help: 'Replies the portal has not fetched within replyPickupDays, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const counts = await readUndeliveredReplies();
      this.reset();
      for (const [kind, count] of Object.entries(counts)) this.set({ kind }, count);
    },
  });

  return {
    registry,
    recordReply(kind: string, outcome: 'received' | 'fetched' | 'accepted' | 'rejected') {
      replyOutcomes.inc({ kind, outcome });
    },
    recordReplyRefused(reason: string) {
      refusedReplies.inc({ reason });
    },
    /** Where the undelivered replies by kind come from (the store), read at each scrape. */
    watchUndeliveredReplies(read: () => Promise<Record<string, number>>) {
      readUndeliveredReplies = read;
    },
    recordIntake(outcome: 'accepted' | 'rejected' | 'failed', problem: string, durationMs: number) {
      intakeRequests.inc({ outcome, problem });
      intakeDuration.observe({ outcome }, durationMs / 1000);
    },
    recordAttempt(destination: string, outcome: string, durationMs: number) {
      deliveryAttempts.inc({ destination, outcome });
      deliveryDuration.observe({ destination }, durationMs / 1000);
    },
    recordProcessFault(kind: 'uncaughtException' | 'unhandledRejection') {
      processFaults.inc({ kind });
    },
    recordInboundPickUp(destination: string, outcome: string) {
      inboundOutcomes.inc({ destination, outcome });
    },
    watchInbound(read: () => Promise<Record<string, number>>) {
      readInbound = read;
    },
    recordDroppedConnection() {
      droppedConnections.inc();
    },
    recordIgnoredReceipt(destination: string, reason: string) {
      ignoredReceipts.inc({ destination, reason });
    },
    recordReceiptPoll(destination: string) {
      receiptPolls.inc({ destination });
    },
    recordPollLease(destination: string, held: boolean) {
      receiptPoller.set({ destination }, held ? 1 : 0);
    },
    /** Where the deferred deliveries by age come from (the store), read at each scrape. */
    watchDeferred(read: () => Promise<DeferredAges[]>) {
      readDeferred = read;
    },
    recordHeldReceipt(destination: string, reason: string) {
      heldReceipts.inc({ destination, reason });
    },
    /** Where breaker states come from (the delivery worker), read at each scrape. */
    watchBreakers(states: () => Record<string, BreakerState>) {
      breakerStates = states;
    },
    /** Where queue depth, oldest pending age and dead letters come from (the store), read at each scrape. */
    watchQueues(read: () => Promise<DestinationStats[]>) {
      readStats = read;
    },
    watchKeyExpiry(read: () => Promise<KeyExpiry[]>) {
      keyExpiries = read;
    },
    /** Where the intake pool's admitted tasks and bound come from (intake-pools.ts), read at each scrape. */
    watchIntakePool(read: () => { tasks: number; capacity: number } | undefined) {
      intakePool = read;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
