import type { AdapterConfig } from './config.js';
import type { OutboundPolicy } from './guarded-agent.js';
import type { KeyResolver, KeySource } from '../seal/index.js';
import type { ReceiptProblem } from '../seal/receipt/set-claims.js';

/**
 * What an adapter knows of its destination: the id, its own settings, what the recipient accepts (for
 * transports that name it in headers) and the key the recipient signs receipts with. Routing's
 * `Destination` has these and more; adapters never see the rest.
 */
export interface AdapterDestination {
  id: string;
  adapter: AdapterConfig;
  standard: { name: string; version: string; message: string };
  receiptKey: KeySource;
}

/** What an adapter hands over: the sealed message, opaque to it, and what it may put into headers. */
export interface OutboundMessage {
  messageId: string;
  submissionId: string;
  destinationId: string;
  serviceKey: string;
  contentType: string;
  body: string;
}

/**
 * The result of one attempt (design.md's adapter contract). `state` is small per-delivery progress the
 * worker persists, so that a crash never repeats a step that must happen once.
 */
export type Outcome =
  | { kind: 'delivered'; state?: unknown; httpStatus?: number }
  | { kind: 'awaiting-pickup'; until: Date; state?: unknown }
  | { kind: 'retry'; reason: string; afterMs?: number; state?: unknown; httpStatus?: number }
  | { kind: 'failed'; reason: string; httpStatus?: number };

export const delivered = (extra: { state?: unknown; httpStatus?: number } = {}): Outcome => ({ kind: 'delivered', ...extra });
export const awaitingPickup = (until: Date, state?: unknown): Outcome => ({ kind: 'awaiting-pickup', until, state });
export const retry = (reason: string, extra: { afterMs?: number; state?: unknown; httpStatus?: number } = {}): Outcome => ({ kind: 'retry', reason, ...extra });
export const failed = (reason: string, httpStatus?: number): Outcome => ({ kind: 'failed', reason, ...(httpStatus === undefined ? {} : { httpStatus }) });

export interface AdapterContext {
  /** The gateway's data dir. */
  dataDir: string;
  /** The only folder file destinations write below (gateway.yaml `fileDropRoot`); default `<dataDir>/outbox`. */
  fileDropRoot?: string | undefined;
  /** Folder `file:` secret references resolve against. */
  configDir: string;
  /** Which addresses outbound HTTP may connect to (gateway.yaml `outbound`). */
  outbound: OutboundPolicy;
  now: () => Date;
  /** Recipients' keys under the gateway's policy (for adapters that verify what a transport reports). */
  keys?: KeyResolver | undefined;
}

/**
 * Persists an attempt's progress at once (fenced like the outcome): for steps that must never be repeated
 * even if the process dies before the attempt ends, such as creating a FIT-Connect submission.
 */
export type SaveProgress = (state: unknown) => Promise<void>;

/** A receipt an adapter fetched from its transport and verified (a signed event, kept verbatim). */
export interface PolledReceipt {
  kind: 'accepted' | 'rejected';
  jti: string;
  /** The SET as received: evidence in the submission's event log. */
  set: string;
  authenticationTags?: { metadata: string; data: string; attachments: Record<string, string> } | undefined;
  problems?: ReceiptProblem[] | undefined;
}

/** What one poll found: at most one final receipt, events that failed verification, and the new progress. */
export interface PollResult {
  state?: unknown;
  receipt?: PolledReceipt | undefined;
  /** Events that were ignored because they failed verification: reasons only, never key material. */
  invalid: { reason: string; issuer?: string | undefined }[];
}

export interface Adapter {
  /** One attempt; `signal` aborts it when the attempt's time is up or the gateway stops. */
  deliver(message: OutboundMessage, state: unknown, signal: AbortSignal, saveProgress?: SaveProgress): Promise<Outcome>;
  /**
   * For transports whose receipts must be fetched (FIT-Connect's event log): called for deliveries in
   * state `delivered` every `pollIntervalMs`, with the state the delivery persisted.
   */
  poll?(state: unknown, signal: AbortSignal): Promise<PollResult>;
  pollIntervalMs?: number;
  /** Releases connections and other resources. */
  close?(): Promise<void>;
}

export type AdapterFactory = (destination: AdapterDestination, context: AdapterContext) => Adapter;
