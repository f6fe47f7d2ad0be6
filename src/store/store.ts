import type {
  AcceptResult,
  IdempotencyClaim,
  NewDelivery,
  NewEvent,
  NewSubmission,
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
  readonly kind: 'sqlite';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** Inserts the configured portals only when the store holds none (the store is the source of truth after). */
  seedPortals(portals: StoredPortal[], now: string): Promise<number>;
  listPortals(): Promise<StoredPortal[]>;
  getPortal(id: string): Promise<StoredPortal | undefined>;
  /** False when the id is taken. */
  insertPortal(portal: StoredPortal, now: string): Promise<boolean>;
  /** False when there is no such portal. */
  setPortalTokens(id: string, tokens: StoredPortal['tokens'], now: string): Promise<boolean>;
  currentRouting(): Promise<RoutingVersion | undefined>;
  currentRoutingVersionNumber(): Promise<number>;
  getRoutingVersion(version: number): Promise<RoutingVersion | undefined>;
  listRoutingVersions(): Promise<Omit<RoutingVersion, 'document'>[]>;
  /** Appends a version if the newest is still `expected`; undefined on conflict. */
  appendRoutingVersion(expected: number, entry: { document: unknown; author: string; note: string; createdAt: string }): Promise<number | undefined>;
  /**
   * Commits a submission, its deliveries and its first event in one transaction — or, when the portal's
   * idempotency key is already taken, commits nothing and returns what the key points to.
   */
  acceptSubmission(input: {
    submission: NewSubmission;
    deliveries: NewDelivery[];
    event: NewEvent;
    idempotency?: IdempotencyClaim | undefined;
  }): Promise<AcceptResult>;
  findIdempotencyKey(portalId: string, key: string, now: string): Promise<{ submissionId: string; contentHmac: string } | undefined>;
  getSubmission(id: string): Promise<SubmissionRecord | undefined>;
  listEvents(submissionId: string): Promise<StoredEvent[]>;
  purgeIdempotencyKeys(now: string): Promise<number>;
  close(): Promise<void>;
}
