import type { ColumnType, Generated } from 'kysely';

/**
 * A sealed body: written as text or as the bytes of UTF-8 text (intake's large ones, issue 19 F4: a Buffer
 * is bound without the UTF-8 copy a string costs). SQLite keeps bytes as a BLOB, PostgreSQL's text column
 * takes them as text (pg sends a Buffer in binary format); read back it may be either, see `bodyText`.
 */
export type SealedBody = ColumnType<string | Buffer, string | Buffer, string | Buffer>;

/** Table types of the store, shared by every dialect. JSON columns are TEXT holding JSON. */
export interface Database {
  portals: PortalTable;
  submissions: SubmissionTable;
  deliveries: DeliveryTable;
  events: EventTable;
  idempotency_keys: IdempotencyTable;
  routing_versions: RoutingVersionTable;
  sealed_messages: SealedMessageTable;
  delivery_attempts: DeliveryAttemptTable;
  audit_log: AuditTable;
  gateway_key_states: GatewayKeyStateTable;
  escrow_copies: EscrowCopyTable;
  receipts: ReceiptTable;
  rate_buckets: RateBucketTable;
  replay_plans: ReplayPlanTable;
  poll_leases: PollLeaseTable;
  portal_reply_keys: PortalReplyKeyTable;
  replies: ReplyTable;
  inbound_submissions: InboundSubmissionTable;
}

/** A portal's reply encryption key (issue 24): its source is an inline public JWK or a JWKS URL. */
export interface PortalReplyKeyTable {
  portal_id: string;
  kid: string;
  /** JSON: `{jwk}` or `{jwksUrl, kid?}` — public keys only. */
  source: string;
  /** A rotated-out key is used until then (ISO time); null while current. */
  not_after: string | null;
  created_at: string;
}

/** A reply from a destination to the portal: ciphertext and signed metadata only, never plain content. */
export interface ReplyTable {
  /** The destination's replyId: the idempotency key. */
  id: string;
  submission_id: string;
  destination_id: string;
  message_id: string;
  /** Order of the submission's replies, from 1. */
  seq: number;
  kind: string;
  /** `received` → `fetched` → `accepted` | `rejected` (the portal's confirmation). */
  state: string;
  encryption_kid: string;
  /** SHA-512 of the posted body as canonical JSON: a repeat with the same id must be the same reply. */
  body_sha512: string;
  /** The destination's signed metadata (it names the attachments' files) as a JWE to the gateway's escrow key. */
  signed_metadata: string;
  countersignature: string;
  /** JSON `{encryptedData, encryptedAttachments}`; null once retention deleted it. */
  ciphertext: string | null;
  received_at: string;
  fetched_at: string | null;
  confirmed_at: string | null;
  /** JSON `{outcome, reason?}`. */
  confirmation: string | null;
  ciphertext_deleted_at: string | null;
}

/** A FIT-Connect submission picked up as a destination's subscriber (migration 0013). */
export interface InboundSubmissionTable {
  id: string;
  destination_id: string;
  case_id: string;
  state: string;
  reason: string | null;
  onward_submission_id: string | null;
  service_key: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  attempts: number;
  next_attempt_at: string;
  first_seen_at: string;
  remind_at: string;
  auto_reject_at: string;
  updated_at: string;
}

/** Who fetches a destination's receipts (FIT-Connect's event logs), until when: one poller across instances. */
export interface PollLeaseTable {
  destination_id: string;
  owner: string;
  lease_until: string;
}

export interface ReplayPlanTable {
  id: string;
  /** The admin (or CLI user) who made the dry run: only they may execute it. */
  actor: string;
  created_at: string;
  expires_at: string;
  /** Set once, when the plan is executed: a plan runs at most once. */
  used_at: string | null;
  /** JSON: the selection, the reroute switch, the note and the entries as the dry run showed them. */
  content: string;
}

export interface RateBucketTable {
  /** What is limited, e.g. `portal:amt24` or `sign-in:<client address hash>`. */
  key: string;
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  updated_ms: number;
}

export interface ReceiptTable {
  /** The SET's jti: unique, so a receipt cannot be replayed. */
  jti: string;
  delivery_id: string;
  destination_id: string;
  kind: string;
  received_at: string;
}

export interface GatewayKeyStateTable {
  kid: string;
  /** `signing` or `escrow`. */
  purpose: string;
  /** `active` (signs / encrypts new messages), `published` (verifies, not used for new ones) or `retired`. */
  state: string;
  changed_at: string;
  changed_by: string;
}

export interface EscrowCopyTable {
  submission_id: string;
  escrow_kid: string;
  /** JWE of the validated submission to the gateway's escrow key. */
  body: SealedBody;
  created_at: string;
}

export interface SealedMessageTable {
  delivery_id: string;
  content_type: string;
  /** The sealed container (encrypted to the recipient): never plain data. */
  body: SealedBody;
  created_at: string;
}

export interface DeliveryAttemptTable {
  delivery_id: string;
  /** The fencing number of the claim that made the attempt. */
  fence: number;
  worker: string;
  started_at: string;
  duration_ms: number;
  outcome: string;
  http_status: number | null;
  error_class: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  /** JSON: what was done to what, and why (no personal data). */
  detail: string;
}

export interface RoutingVersionTable {
  version: number;
  /** JSON of the validated routing document. */
  document: string;
  author: string;
  note: string;
  created_at: string;
}

export interface PortalTable {
  id: string;
  name: string;
  /** JSON: [{hash, notAfter?}] — a rotated-out token stays valid until its notAfter. */
  token_hashes: string;
  services: string;
  regions: string;
  /** JSON: {secret (a reference), allowedHosts, defaultUrl?}, or null for a portal without callbacks. */
  callback: string | null;
  /** JSON: the portal's DVDV identity, or null. */
  identity: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubmissionTable {
  id: string;
  portal_id: string;
  service_key: string;
  region_key: string;
  status: string;
  /** The portal's own case reference (its identifier, not personal data). */
  reference: string | null;
  test: number;
  callback_url: string | null;
  /** JSON: how the applicant was identified (method, level of assurance). */
  authentication: string | null;
  /** JSON: the payment's method and status only (no transaction ids or amount, see migration 0010). */
  payment: string | null;
  /** HMAC of the canonical data: recognises content without keeping it. */
  data_hmac: string;
  /** JSON: [{id, mediaType, size, hmac}] — no file names, which often carry names of persons. */
  attachments: string;
  received_at: string;
  updated_at: string;
  /** The routing version that chose the destinations. */
  routing_version: number | null;
  /** JSON: the envelope's `replyChannel.encryptionKey` (a public JWK), which wins over the portal's reply keys. */
  reply_key: string | null;
}

export interface DeliveryTable {
  /** The message id: stable across attempts, so receivers can drop duplicates. */
  id: string;
  submission_id: string;
  destination_id: string;
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  /** Which worker holds the delivery, until when; `fence` grows with every claim. */
  lease_owner: string | null;
  lease_until: string | null;
  fence: Generated<number>;
  /** JSON: the adapter's small progress state (e.g. a mailbox's pickup deadline). */
  adapter_state: string | null;
  /** Error class of the last failed attempt (never a payload). */
  last_error: string | null;
  delivered_at: string | null;
  final_at: string | null;
  signing_kid: string | null;
  /** JSON: the JWE authentication tags of the delivered message, which an accept receipt must repeat. */
  authentication_tags: string | null;
  /** A deferred delivery: the delivery whose acceptance releases it. */
  trigger_delivery_id: string | null;
  /** A deferred delivery: until when it waits for that acceptance (fixed at receipt); then `on_timeout` decides. */
  deferred_until: string | null;
  on_timeout: string | null;
  /** `message` (to a destination) or `callback` (a status callback to the portal). */
  kind: Generated<string>;
}

export interface EventTable {
  submission_id: string;
  seq: number;
  at: string;
  type: string;
  /** JSON payload of the event (metadata only). */
  data: string;
  prev_hash: string;
  hash: string;
}

export interface IdempotencyTable {
  portal_id: string;
  key: string;
  content_hmac: string;
  submission_id: string;
  created_at: string;
  expires_at: string;
}
