import type { z } from 'zod';
import type { OutboundPolicy } from './guarded-agent.js';
import type { KeyResolver, KeySource } from '../seal/index.js';
import type { ReceiptProblem } from '../seal/receipt/set-claims.js';
import type { ReadReferences } from './transport-references.js';

/**
 * What an adapter may know of its destination besides its own config: what the recipient accepts (for
 * transports that name it in headers) and the key the recipient signs receipts with. Routing's
 * `Destination` has these and more; adapters never see the rest, and each factory asks only for the part
 * it uses.
 */
export interface DestinationFacts {
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
 * worker persists, so that a crash never repeats a step that must happen once. `Reason` is the adapter's
 * own union of reason codes: the worker stores the code as the delivery's `lastError`, which the admin API
 * and page show, so a code is a contract — each adapter declares the ones it reports.
 */
export type Outcome<Reason extends string = string> =
  | { kind: 'delivered'; state?: unknown; httpStatus?: number }
  | { kind: 'awaiting-pickup'; until: Date; state?: unknown }
  | { kind: 'retry'; reason: Reason; afterMs?: number; state?: unknown; httpStatus?: number }
  | { kind: 'failed'; reason: Reason; httpStatus?: number };

export const delivered = (extra: { state?: unknown; httpStatus?: number } = {}): Outcome<never> => ({
  kind: 'delivered',
  ...extra,
});
export const awaitingPickup = (until: Date, state?: unknown): Outcome<never> => ({
  kind: 'awaiting-pickup',
  until,
  state,
});
export const retry = <Reason extends string>(
  reason: Reason,
  extra: { afterMs?: number; state?: unknown; httpStatus?: number } = {},
): Outcome<Reason> => ({ kind: 'retry', reason, ...extra });
export const failed = <Reason extends string>(reason: Reason, httpStatus?: number): Outcome<Reason> => ({
  kind: 'failed',
  reason,
  ...(httpStatus === undefined ? {} : { httpStatus }),
});

/** A code of undici's errors (`UND_ERR_CONNECT_TIMEOUT`, `UND_ERR_SOCKET`, …), passed on as a reason. */
export type UndiciCode = `UND_ERR${string}`;
/** A Node system error's code (`ECONNREFUSED`, `ENOSPC`, …), passed on as a reason. */
export type SystemErrorCode = `E${string}`;

export const isUndiciCode = (code: unknown): code is UndiciCode =>
  typeof code === 'string' && code.startsWith('UND_ERR');
export const isSystemErrorCode = (code: unknown): code is SystemErrorCode =>
  typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code);

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

/** An event that failed verification: a reason code and who claims to have issued it, never key material. */
export interface PollFailure {
  reason: string;
  issuer?: string | undefined;
}

/**
 * What one poll found: at most one final receipt, events that failed verification, and the new progress.
 * An event that failed for good (a bad signature with a known key, another submission, malformed) is skipped
 * and listed in `invalid`. The first event that failed for a reason a key refresh or a restart could cure
 * (its key is unknown yet, the key set is unavailable) is `held`: the progress in `state` stops before it, so
 * the next poll tries it again; what came before it is kept.
 */
export interface PollResult {
  kind: 'polled';
  state?: unknown;
  receipt?: PolledReceipt | undefined;
  /** Events that were skipped because they failed verification for good. */
  invalid: PollFailure[];
  /** The event the read position stopped at, to be tried again at the next poll. */
  held?: PollFailure | undefined;
}

/** A poll that could not read the transport (it is tried again at the next interval); the reason is logged. */
export interface PollUnavailable<Reason extends string = string> {
  kind: 'unavailable';
  reason: Reason;
}

export interface Adapter<Reason extends string = string> {
  /** One attempt; `signal` aborts it when the attempt's time is up or the gateway stops. */
  deliver(
    message: OutboundMessage,
    state: unknown,
    signal: AbortSignal,
    saveProgress?: SaveProgress,
  ): Promise<Outcome<Reason>>;
  /**
   * For transports whose receipts must be fetched (FIT-Connect's event log): called for deliveries in
   * state `delivered` every `pollIntervalMs`, with the state the delivery persisted.
   */
  poll?(state: unknown, signal: AbortSignal): Promise<PollResult | PollUnavailable<Reason>>;
  pollIntervalMs?: number;
  /** Releases connections and other resources. */
  close?(): Promise<void>;
}

/**
 * A row of the adapter table (adapters/index.ts): the kind, the zod schema of its config (one member of
 * the routing schema's `adapter` union) and the factory, which receives that config already validated —
 * typed as its own, never the union — and what it needs of the destination.
 */
export interface AdapterRow<
  Kind extends string,
  Schema extends z.ZodObject<{ kind: z.ZodLiteral<Kind> }>,
  Reason extends string,
> {
  kind: Kind;
  configSchema: Schema;
  create: (config: z.output<Schema>, context: AdapterContext, destination: DestinationFacts) => Adapter<Reason>;
  /**
   * For transports that assign their own ids to a delivery (FIT-Connect's submission and case): reads them
   * from the state the adapter persisted, so that the status views and the event log can show them without
   * knowing that state's shape (transport-references.ts).
   */
  references?: ReadReferences | undefined;
}

/** Builds a row; the types tie the kind to the schema's `kind` literal and the factory to the schema. */
export function adapterRow<
  const Kind extends string,
  Schema extends z.ZodObject<{ kind: z.ZodLiteral<Kind> }>,
  Reason extends string,
>(
  kind: Kind,
  configSchema: Schema,
  create: (config: z.output<Schema>, context: AdapterContext, destination: DestinationFacts) => Adapter<Reason>,
  extras: { references?: ReadReferences } = {},
): AdapterRow<Kind, Schema, Reason> {
  return { kind, configSchema, create, references: extras.references };
}
