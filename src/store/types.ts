import type { TransportReferences } from '../adapters/transport-references.js';
import type { PortalCallback, PortalIdentity } from '../config/portal.js';

/** The status vocabulary of design.md (FIT-Connect's), per destination. */
export const deliveryStates = [
  'deferred',
  'pending',
  'delivered',
  'accepted',
  'rejected',
  'dead-lettered',
  'cancelled',
] as const;
export type DeliveryState = (typeof deliveryStates)[number];

export interface AttachmentMeta {
  id: string;
  mediaType: string;
  size: number;
  /** HMAC-SHA-512 of the content with the gateway secret. */
  hmac: string;
}

export interface AuthenticationInfo {
  method: string;
  levelOfAssurance?: string | undefined;
}

/**
 * What the store keeps of a submission's payment: its method and status. Transaction ids, references and the
 * amount travel only in the sealed messages and the escrow copy (issue 19, F8). Since the envelope's `payment`
 * is FIT-Connect's `paymentInformation`, new rows hold its values (`method` = `paymentMethod` such as
 * `GIROPAY`, `status` such as `BOOKED`); rows stored before keep the portal's earlier free-text method and
 * lower-case status (`giropay`, `paid`). Both are plain strings, so both read; no migration rewrites them,
 * since a free-text method cannot be mapped onto the enum without guessing.
 */
export interface PaymentStatus {
  method: string;
  status: string;
}

export interface NewSubmission {
  id: string;
  portalId: string;
  serviceKey: string;
  regionKey: string;
  status: DeliveryState;
  reference?: string | undefined;
  test: boolean;
  callbackUrl?: string | undefined;
  authentication?: AuthenticationInfo | undefined;
  payment?: PaymentStatus | undefined;
  dataHmac: string;
  attachments: AttachmentMeta[];
  receivedAt: string;
  routingVersion?: number | undefined;
  /** The envelope's own reply key (`replyChannel.encryptionKey`), a public JWK. */
  replyKey?: Record<string, unknown> | undefined;
}

export interface NewDelivery {
  /** The message id. */
  id: string;
  destinationId: string;
  state: DeliveryState;
  /** The gateway key that signed this message, so a key is retired only when nothing depends on it. */
  signingKid?: string | undefined;
  authenticationTags?: { metadata: string; data: string; attachments: Record<string, string> } | undefined;
  /** For a deferred delivery: the delivery whose acceptance releases it. */
  triggerDeliveryId?: string | undefined;
  /** For a deferred delivery: until when it waits for that acceptance, and what happens then. */
  deferredUntil?: string | undefined;
  onTimeout?: DeferredTimeout | undefined;
}

/** What becomes of a deferred delivery whose trigger did not accept in time (routing-schema.ts `onTimeout`). */
export type DeferredTimeout = 'release' | 'dead-letter';

export interface DeliveryRecord extends NewDelivery {
  attempts: number;
  nextAttemptAt?: string | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface SubmissionRecord extends NewSubmission {
  updatedAt: string;
  deliveries: DeliveryRecord[];
}

export interface NewEvent {
  at: string;
  type: string;
  data: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface IdempotencyClaim {
  /** The keyed hash (HMAC with the gateway secret) of the portal's Idempotency-Key: it is only ever matched. */
  key: string;
  contentHmac: string;
  expiresAt: string;
}

export type AcceptResult =
  | { kind: 'created' }
  /** The portal already used this idempotency key; the caller compares the content. */
  | { kind: 'existing'; submissionId: string; contentHmac: string };

export interface PortalToken {
  hash: string;
  /** A rotated-out token is accepted until then (ISO time). */
  notAfter?: string | undefined;
}

export interface StoredPortal {
  id: string;
  name: string;
  tokens: PortalToken[];
  services: string[];
  regions: string[];
  callback?: PortalCallback | undefined;
  /** The portal's DVDV identity, for messages written on its own behalf (see gateway-schema.ts). */
  identity?: PortalIdentity | undefined;
}

export interface RoutingVersion {
  version: number;
  document: unknown;
  author: string;
  note: string;
  createdAt: string;
}

/** A delivery a worker holds: `fence` must accompany every write about it. */
export interface ClaimedDelivery {
  id: string;
  submissionId: string;
  destinationId: string;
  serviceKey: string;
  attempts: number;
  fence: number;
  adapterState?: unknown;
  createdAt: string;
}

export interface AttemptRecord {
  worker: string;
  startedAt: string;
  durationMs: number;
  outcome: 'delivered' | 'awaiting-pickup' | 'retry' | 'failed';
  httpStatus?: number | undefined;
  errorClass?: string | undefined;
}

/** Where an attempt leaves a delivery. */
export interface DeliveryTransition {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  adapterState?: unknown;
  lastError?: string | null | undefined;
  /**
   * The ids the transport assigned (read by the adapter from its state): kept in the event that records a
   * change of state, so they stay in the log after a replay starts the delivery afresh.
   */
  references?: TransportReferences | undefined;
}

export interface SealedMessage {
  deliveryId: string;
  contentType: string;
  body: string;
  /** On re-sealing: the key that signed the new message and its authentication tags. */
  signingKid?: string | undefined;
  authenticationTags?: { metadata: string; data: string; attachments: Record<string, string> } | undefined;
}

/** The error class of a delivery's latest attempt, when it failed: what a portal may see of a failure. */
export interface AttemptError {
  code: string;
  at: string;
}

export interface AttemptView extends AttemptRecord {
  fence: number;
}

export interface DeliveryView extends DeliveryRecord {
  submissionId: string;
  serviceKey: string;
  regionKey: string;
  /** The portal's own case reference, when it gave one. */
  reference?: string | undefined;
  lastError?: string | undefined;
  deliveredAt?: string | undefined;
  /** While deferred: until when it waits for its trigger's accept, and what then happens (routing's `onTimeout`). */
  deferredUntil?: string | undefined;
  onTimeout?: DeferredTimeout | undefined;
}

export interface DeliveryFilter {
  state?: DeliveryState | undefined;
  destinationId?: string | undefined;
  serviceKey?: string | undefined;
  /** ARS prefixes the caller may see. */
  regions?: readonly string[] | undefined;
  since?: string | undefined;
  ids?: readonly string[] | undefined;
  /** Keyset paging: deliveries after this one in the list's order (newest first). */
  after?: string | undefined;
  limit: number;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** What waits for a destination, for the overview and the metrics. */
export interface DestinationStats {
  destinationId: string;
  waiting: number;
  oldestWaitingSince?: string | undefined;
  deadLetters: number;
}

export interface KeyState {
  kid: string;
  purpose: 'signing' | 'escrow';
  state: 'active' | 'published' | 'retired';
  changedAt: string;
  changedBy: string;
}

/** A stored replay plan; the store keeps `content` as given (operations/replay-plan.ts reads it). */
export interface ReplayPlanRecord {
  id: string;
  actor: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string | undefined;
  content: unknown;
}

export interface EscrowCopy {
  submissionId: string;
  escrowKid: string;
  body: string;
}

export interface ReceiptInput {
  deliveryId: string;
  destinationId: string;
  submissionId: string;
  jti: string;
  kind: 'accepted' | 'rejected';
  /** The SET, kept verbatim in the event log as evidence. */
  set: string;
  authenticationTags?: { metadata: string; data: string; attachments: Record<string, string> } | undefined;
  problems?: unknown[] | undefined;
  at: string;
}

export type ReceiptOutcome =
  | { ok: true; released: string[]; cancelled: string[] }
  | { ok: false; reason: 'unknown-message' | 'not-delivered' | 'already-final' | 'tags-mismatch' | 'replayed' };

/** What is committed together when a submission is accepted. */
export interface AcceptInput {
  submission: NewSubmission;
  deliveries: NewDelivery[];
  /**
   * The sealed message of each delivery, committed with it; a large body comes as the bytes of its text
   * (a Buffer), which the store binds without another copy (issue 19, F4). Read back, it is text.
   */
  messages?: (Omit<SealedMessage, 'body'> & { body: string | Buffer })[] | undefined;
  /** The submission sealed to the gateway's escrow key (as text or as the bytes of its text). */
  escrow?: { escrowKid: string; body: string | Buffer } | undefined;
  event: NewEvent;
  idempotency?: IdempotencyClaim | undefined;
}

/** Which services a retention rule covers: the ones named, or all but the ones named. */
export type PurgeServices = { only: readonly string[] } | { except: readonly string[] };

/** One retention rule: for these services, what is older than each cutoff (and final) goes. */
export interface PurgeGroup {
  services: PurgeServices;
  cutoffs: { sealedMessages: string; escrowCopies: string; idempotencyKeys: string; eventLogs: string };
}

/** What one housekeeping run deletes: computed from the configured periods and the clock. */
export interface PurgePlan {
  now: string;
  groups: readonly PurgeGroup[];
  auditCutoff: string;
  /** Replies confirmed before this lose their ciphertext (`retention.replyDays`). */
  replyCutoff: string;
}

export interface PurgeCounts {
  sealedMessages: number;
  escrowCopies: number;
  idempotencyKeys: number;
  eventLogs: number;
  auditRecords: number;
  replyCiphertexts: number;
}
