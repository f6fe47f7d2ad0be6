import type { Destination } from '../config/routing-schema.js';
import type { OutboundPolicy } from './guarded-agent.js';

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
  /** Folder relative paths in adapter config resolve against. */
  dataDir: string;
  /** Folder `file:` secret references resolve against. */
  configDir: string;
  /** Which addresses outbound HTTP may connect to (gateway.yaml `outbound`). */
  outbound: OutboundPolicy;
  now: () => Date;
}

export interface Adapter {
  /** One attempt; `signal` aborts it when the attempt's time is up or the gateway stops. */
  deliver(message: OutboundMessage, state: unknown, signal: AbortSignal): Promise<Outcome>;
  /** Releases connections and other resources. */
  close?(): Promise<void>;
}

export type AdapterFactory = (destination: Destination, context: AdapterContext) => Adapter;
