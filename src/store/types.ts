/** The status vocabulary of design.md (FIT-Connect's), per destination. */
export const deliveryStates = ['deferred', 'pending', 'delivered', 'accepted', 'rejected', 'dead-lettered', 'cancelled'] as const;
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

export interface PaymentInfo {
  method: string;
  status: string;
  transactionId?: string | undefined;
  transactionReference?: string | undefined;
  amount?: number | undefined;
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
  payment?: PaymentInfo | undefined;
  dataHmac: string;
  attachments: AttachmentMeta[];
  receivedAt: string;
  routingVersion?: number | undefined;
}

export interface NewDelivery {
  /** The message id. */
  id: string;
  destinationId: string;
  state: DeliveryState;
}

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
}

export interface RoutingVersion {
  version: number;
  document: unknown;
  author: string;
  note: string;
  createdAt: string;
}
