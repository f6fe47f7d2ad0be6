import type { AuditAction } from './audit-actions.js';
import type {
  InsertReplyResult,
  NewReply,
  PortalReplyKey,
  ReplyConfirmation,
  StoredReply,
  UndeliveredReply,
} from './reply-types.js';
import type { ChangeListener, ChangeListenerOptions, ChangeTopic } from './change-topics.js';
import type { DeferredAges } from './sql/deferred-by-age.js';
import type { OverdueDeferred } from './sql/list-overdue-deferred.js';
import type { MigrationContext } from './migrations/context.js';
import type { InboundSubmission } from './sql/inbound-row.js';
import type { recordInboundSeen } from './sql/record-inbound-seen.js';
import type { takeInboundLease } from './sql/take-inbound-lease.js';
import type { settleInbound } from './sql/settle-inbound.js';
import type { listInbound } from './sql/list-inbound.js';
import type { listDueInbound } from './sql/list-due-inbound.js';
import type { RateBucket, takeRateToken } from './sql/take-rate-token.js';
import type { MailboxEntry } from './sql/list-mailbox.js';
import type { listPollable, PollableDelivery } from './sql/list-pollable.js';
import type { listSubmissions, SubmissionSummary } from './sql/list-submissions.js';
import type {
  AcceptInput,
  AcceptResult,
  AttemptRecord,
  AttemptError,
  AttemptView,
  AuditEntry,
  PurgeCounts,
  PurgePlan,
  ClaimedDelivery,
  DeliveryFilter,
  DeliveryTransition,
  DeliveryView,
  DestinationStats,
  EscrowCopy,
  KeyState,
  NewEvent,
  ReceiptInput,
  ReceiptOutcome,
  SealedMessage,
  ReplayPlanRecord,
  RoutingVersion,
  StoredEvent,
  StoredPortal,
  SubmissionRecord,
} from './types.js';

/**
 * The one store interface. SQLite and PostgreSQL implement it over the same kysely query layer, so
 * every operation below is written once (store/sql/) and only connection set-up differs.
 */
export interface Store {
  /** Which implementation answers, for health and logs. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Applies the migrations this store lacks (once, however many instances start together); returns their names.
   * `context` gives the keyed hash for migrations that convert stored values (migrations/context.ts).
   */
  migrate(context?: MigrationContext): Promise<string[]>;
  /**
   * A consistent copy of the store in `file` (SQLite's online backup), owner-only; an existing file only with
   * `force`. PostgreSQL refuses and names pg_dump.
   */
  backup(file: string, options?: { force?: boolean }): Promise<void>;
  ping(): Promise<void>;
  /**
   * Deliveries to be made that no release can make: accepted before the gateway sealed (sql/unsealed-deliveries.ts).
   */
  countUnsealedDeliveries(): Promise<number>;
  /** Records those as dead letters (`accepted-before-sealing`), the operator's explicit step; returns how many. */
  deadLetterUnsealed(now: string): Promise<number>;
  /** Inserts the configured portals only when the store holds none (the store is the source of truth after). */
  seedPortals(portals: StoredPortal[], now: string): Promise<number>;
  listPortals(): Promise<StoredPortal[]>;
  getPortal(id: string): Promise<StoredPortal | undefined>;
  /** False when the id is taken. */
  insertPortal(portal: StoredPortal, now: string): Promise<boolean>;
  /** False when there is no such portal, or (with `expected`) when its tokens are no longer those. */
  setPortalTokens(
    id: string,
    tokens: StoredPortal['tokens'],
    now: string,
    expected?: StoredPortal['tokens'],
  ): Promise<boolean>;
  currentRouting(): Promise<RoutingVersion | undefined>;
  currentRoutingVersionNumber(): Promise<number>;
  getRoutingVersion(version: number): Promise<RoutingVersion | undefined>;
  listRoutingVersions(): Promise<Omit<RoutingVersion, 'document'>[]>;
  /** Appends a version if the newest is still `expected`; undefined on conflict. */
  appendRoutingVersion(
    expected: number,
    entry: { document: unknown; author: string; note: string; createdAt: string },
  ): Promise<number | undefined>;
  /**
   * Commits a submission, its deliveries and its first event in one transaction — or, when the portal's
   * idempotency key is already taken, commits nothing and returns what the key points to.
   */
  acceptSubmission(input: AcceptInput): Promise<AcceptResult>;
  findIdempotencyKey(
    portalId: string,
    keyHash: string,
    now: string,
  ): Promise<{ submissionId: string; contentHmac: string } | undefined>;
  getSubmission(id: string): Promise<SubmissionRecord | undefined>;
  listSubmissions(filter: Parameters<typeof listSubmissions>[1]): Promise<SubmissionSummary[]>;
  listEvents(submissionId: string): Promise<StoredEvent[]>;
  /** Deletes what a retention plan says has expired (store/sql/purge-expired.ts); `dryRun` only counts. */
  purgeExpired(plan: PurgePlan, dryRun: boolean): Promise<PurgeCounts>;
  /** Takes a token from a rate-limit bucket shared by every instance (store/sql/take-rate-token.ts). */
  takeRateToken(key: string, nowMs: number, bucket: RateBucket): ReturnType<typeof takeRateToken>;
  /** Deletes rate buckets untouched since `beforeMs` (they are full, as if absent); returns how many. */
  sweepRateBuckets(beforeMs: number): Promise<number>;

  // The outbox (store/sql/claim-deliveries.ts and friends).
  claimDeliveries(options: {
    owner: string;
    now: string;
    leaseUntil: string;
    limit: number;
    excludeDestinations: readonly string[];
  }): Promise<ClaimedDelivery[]>;
  renewLease(id: string, fence: number, leaseUntil: string): Promise<boolean>;
  releaseLease(id: string, fence: number, nextAttemptAt: string): Promise<boolean>;
  /**
   * SQLite at start-up, under the serve lock only: every lease is a dead process's (store/sql/release-all-leases.ts).
   */
  releaseAllLeases(now: string): Promise<number>;
  /** False when the fence is stale: a newer claim exists and this outcome must not be recorded. */
  recordAttempt(input: {
    id: string;
    fence: number;
    attempt: AttemptRecord;
    transition: DeliveryTransition;
    now: string;
  }): Promise<boolean>;
  /** An attempt's progress, saved mid-attempt under the claim's fence; false when the claim was lost. */
  saveAdapterState(id: string, fence: number, state: unknown): Promise<boolean>;
  /** Delivered messages of destinations whose adapter fetches receipts (store/sql/list-pollable.ts). */
  listPollable(filter: Parameters<typeof listPollable>[1]): Promise<PollableDelivery[]>;
  /** A poll's progress (undefined: unchanged) and what it found wrong (store/sql/save-polled-state.ts). */
  savePolledState(id: string, state: unknown, lastError?: string | null): Promise<void>;
  getSealedMessage(deliveryId: string): Promise<SealedMessage | undefined>;
  replaceSealedMessage(message: SealedMessage, now: string): Promise<void>;
  listMailbox(destinationId: string, after: string | undefined, limit: number): Promise<MailboxEntry[]>;
  recordMailboxFetch(destinationId: string, messageId: string, now: string): Promise<boolean>;
  listDeliveries(filter: DeliveryFilter): Promise<DeliveryView[]>;
  listAttempts(deliveryId: string): Promise<AttemptView[]>;
  /** Error class and time of each delivery's latest attempt, where it failed (store/sql/last-attempt-errors.ts). */
  lastAttemptErrors(deliveryIds: readonly string[]): Promise<Map<string, AttemptError>>;
  /** The state each delivery's adapter persisted, opaque, for reading transport ids (store/sql/adapter-states.ts). */
  adapterStates(deliveryIds: readonly string[]): Promise<Map<string, unknown>>;
  replayDeliveries(ids: readonly string[], now: string, reason: string): Promise<string[]>;
  moveDelivery(id: string, destinationId: string, now: string): Promise<void>;
  /** Stores a dead-letter replay plan (and deletes expired ones): store/sql/save-replay-plan.ts. */
  saveReplayPlan(plan: ReplayPlanRecord, now: string): Promise<void>;
  getReplayPlan(id: string): Promise<ReplayPlanRecord | undefined>;
  /** Marks a plan executed; false when it already was, or has expired (store/sql/use-replay-plan.ts). */
  useReplayPlan(id: string, now: string): Promise<boolean>;
  appendAudit(entry: AuditEntry & { action: AuditAction }): Promise<void>;
  /** Waiting messages and dead letters per destination, within the given regions (store/sql/destination-stats.ts). */
  destinationStats(regions?: readonly string[]): Promise<DestinationStats[]>;
  countSubmissionsByStatus(since: string, regions?: readonly string[]): Promise<Record<string, number>>;
  getEscrowCopy(submissionId: string): Promise<EscrowCopy | undefined>;
  applyReceipt(input: ReceiptInput): Promise<ReceiptOutcome>;
  /** `signingKid` is absent for FIT-Connect's format, which carries no gateway signature. */
  releaseDeferred(input: {
    deliveryId: string;
    body: string;
    contentType: string;
    signingKid: string | undefined;
    authenticationTags: unknown;
    at: string;
    reason?: string | undefined;
  }): Promise<boolean>;
  /** Deferred deliveries whose deadline has come, with their trigger's state (store/sql/list-overdue-deferred.ts). */
  listOverdueDeferred(now: string, limit: number): Promise<OverdueDeferred[]>;
  /** A deferred delivery made a dead letter with the reason; false when it is no longer deferred. */
  deadLetterDeferred(input: { deliveryId: string; reason: string; at: string }): Promise<boolean>;
  /** Deferred deliveries per destination by age, and past their deadline (for the metrics). */
  deferredByAge(now: Date): Promise<DeferredAges[]>;
  /**
   * The lease on fetching one destination's receipts, so that one instance polls it (store/sql/take-poll-lease.ts);
   * true when `owner` holds it until `leaseUntil`.
   */
  takePollLease(input: { destinationId: string; owner: string; now: string; leaseUntil: string }): Promise<boolean>;
  releasePollLease(destinationId: string, owner: string): Promise<void>;

  // FIT-Connect submissions picked up as a destination's subscriber (sources/fitconnect/, migration 0013).
  /** Records a submission the first time it is seen; true when it is new (store/sql/record-inbound-seen.ts). */
  recordInboundSeen(input: Parameters<typeof recordInboundSeen>[1]): Promise<boolean>;
  /** The lease on working on one inbound submission, when open, due and free (store/sql/take-inbound-lease.ts). */
  takeInboundLease(input: Parameters<typeof takeInboundLease>[1]): Promise<InboundSubmission | undefined>;
  /** Its new state, the lease given back; false when the lease was lost (store/sql/settle-inbound.ts). */
  settleInbound(input: Parameters<typeof settleInbound>[1]): Promise<boolean>;
  listInbound(filter: Parameters<typeof listInbound>[1]): Promise<InboundSubmission[]>;
  listDueInbound(input: Parameters<typeof listDueInbound>[1]): ReturnType<typeof listDueInbound>;
  /** Routing changed: every waiting inbound submission is due now; returns how many. */
  wakeWaitingInbound(now: string): Promise<number>;
  /** SQLite at start-up, under the serve lock only: every inbound lease is a dead process's. */
  releaseInboundLeases(): Promise<number>;
  countInboundByState(): Promise<Record<string, number>>;
  /** Appends events to an existing submission's chain in one transaction (store/sql/append-events.ts). */
  appendEvents(submissionId: string, events: readonly NewEvent[]): Promise<void>;

  // Notices between instances (change-topics.ts): PostgreSQL's LISTEN/NOTIFY; polling stays the fallback.
  /**
   * Tells the other instances of a change at once. The store announces its own changes (a routing version,
   * deliveries due now, key states); this is for changes it cannot see. Never fails: a lost notice only means
   * the others learn of it by polling.
   */
  announce(topic: ChangeTopic): Promise<void>;
  /** Listens for the other instances' notices on a connection of its own; undefined on SQLite (one instance). */
  listenForChanges(options: ChangeListenerOptions): ChangeListener | undefined;

  // Gateway key states (store/sql/list-key-states.ts, activate-key.ts and their neighbours): the key files are the same
  // on every instance.
  listKeyStates(): Promise<KeyState[]>;
  registerKeys(keys: { kid: string; purpose: KeyState['purpose'] }[], now: string): Promise<void>;
  activateKey(kid: string, actor: string, now: string): Promise<boolean>;
  retireKey(kid: string, actor: string, now: string): Promise<void>;
  countOpenMessagesSignedWith(kid: string): Promise<number>;
  listAudit(limit: number, before?: number): Promise<(AuditEntry & { id: number })[]>;

  // Replies (issue 24; store/sql/insert-reply.ts and its neighbours): ciphertext and signed metadata only.
  /** A portal's reply keys, rotated-out ones included. */
  listPortalReplyKeys(portalId: string): Promise<PortalReplyKey[]>;
  /** Registers a key; the current ones stay usable until `previousNotAfter`. False when the kid is taken. */
  addPortalReplyKey(key: PortalReplyKey, previousNotAfter: string): Promise<boolean>;
  nextReplySeq(submissionId: string): Promise<number>;
  /** A message (not a callback) by its id (store/sql/find-message.ts). */
  findMessage(
    id: string,
  ): Promise<{ id: string; submissionId: string; destinationId: string; state: string } | undefined>;
  /** Stores a reply with its event and the portal's callback (store/sql/insert-reply.ts). */
  insertReply(reply: NewReply, links: { replyUrl: string }): Promise<InsertReplyResult>;
  getReply(id: string): Promise<StoredReply | undefined>;
  listReplies(submissionId: string): Promise<StoredReply[]>;
  recordReplyFetch(id: string, now: string): Promise<void>;
  /**
   * False when the reply was confirmed before (store/sql/confirm-reply.ts). `push`: the destination's
   * `reply.confirmed` status, queued in the outbox with the confirmation.
   */
  confirmReply(input: {
    replyId: string;
    submissionId: string;
    confirmation: ReplyConfirmation;
    at: string;
    push?: { destinationId: string; payload: Record<string, unknown> } | undefined;
  }): Promise<boolean>;
  listUndeliveredReplies(receivedBefore: string, limit: number): Promise<UndeliveredReply[]>;
  /** Replies not fetched since before `receivedBefore`, counted by kind (for the metrics). */
  countUndeliveredReplies(receivedBefore: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}
