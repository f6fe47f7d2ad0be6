import type { Generated } from 'kysely';

/** Table types of the store, shared by every dialect. JSON columns are TEXT holding JSON. */
export interface Database {
  portals: PortalTable;
  submissions: SubmissionTable;
  deliveries: DeliveryTable;
  events: EventTable;
  idempotency_keys: IdempotencyTable;
  routing_versions: RoutingVersionTable;
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
  /** JSON: payment metadata (method, status, ids, amount). */
  payment: string | null;
  /** HMAC of the canonical data: recognises content without keeping it. */
  data_hmac: string;
  /** JSON: [{id, mediaType, size, hmac}] — no file names, which often carry names of persons. */
  attachments: string;
  received_at: string;
  updated_at: string;
  /** The routing version that chose the destinations. */
  routing_version: number | null;
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
