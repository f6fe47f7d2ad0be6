/** Issue 24: what the store keeps of replies and of portals' reply keys (public keys and ciphertext only). */

/** Where a portal's reply key comes from: an inline public JWK, or a JWKS URL (optionally one `kid` of it). */
export type ReplyKeySource = { jwk: Record<string, unknown> } | { jwksUrl: string; kid?: string | undefined };

export interface PortalReplyKey {
  portalId: string;
  kid: string;
  source: ReplyKeySource;
  /** A rotated-out key is still used until then (ISO time). */
  notAfter?: string | undefined;
  createdAt: string;
}

export const replyKinds = ['notice', 'request', 'information'] as const;
export type ReplyKind = (typeof replyKinds)[number];

/** `received` (waiting for the portal) → `fetched` → `accepted` | `rejected` (the portal's confirmation). */
export const replyStates = ['received', 'fetched', 'accepted', 'rejected'] as const;
export type ReplyState = (typeof replyStates)[number];

export interface ReplyConfirmation {
  outcome: 'accepted' | 'rejected';
  reason?: string | undefined;
}

/** The sealed parts as the destination sent them (compact JWEs). */
export interface ReplyCiphertext {
  encryptedData: string;
  encryptedAttachments: Record<string, string>;
}

export interface NewReply {
  id: string;
  submissionId: string;
  destinationId: string;
  messageId: string;
  seq: number;
  kind: ReplyKind;
  encryptionKid: string;
  bodySha512: string;
  /**
   * The destination's signed metadata (a compact JWS) sealed to the gateway's escrow key (a compact JWE,
   * `sub` the reply id): its payload names the attachments' files. Opened only when the portal fetches the reply.
   */
  signedMetadata: string;
  countersignature: string;
  ciphertext: ReplyCiphertext;
  receivedAt: string;
}

export interface StoredReply extends Omit<NewReply, 'ciphertext'> {
  state: ReplyState;
  /** Undefined once retention deleted it (after the confirmation). */
  ciphertext?: ReplyCiphertext | undefined;
  fetchedAt?: string | undefined;
  confirmedAt?: string | undefined;
  confirmation?: ReplyConfirmation | undefined;
  ciphertextDeletedAt?: string | undefined;
}

/** What inserting a reply did: stored it, found the same id stored before, or lost the race for its `seq`. */
export type InsertReplyResult =
  { kind: 'created'; seq: number } | { kind: 'existing'; reply: StoredReply } | { kind: 'seq-taken' };

/** A reply without its content, for the admin's list of replies the portal has not fetched. */
export interface UndeliveredReply {
  replyId: string;
  submissionId: string;
  portalId: string;
  destinationId: string;
  kind: string;
  receivedAt: string;
  /** The submission's region: an admin limited to regions sees only theirs. */
  regionKey: string;
}
