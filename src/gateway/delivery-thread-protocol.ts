import type { PolledReceipt } from '../adapters/types.js';
import type { ConfigFiles } from '../config/load.js';
import type { BreakerState } from '../delivery/circuit-breakers.js';
import type { ProblemCode } from '../lib/errors.js';

/**
 * The messages between the gateway's main thread and its delivery thread (delivery-thread.ts and
 * delivery-thread-entry.ts). Plain data only: they cross the thread boundary by structured clone.
 */

/**
 * What the delivery thread needs of the configuration: the gateway's settings (gateway.yaml with the environment
 * applied) and the folders. Services, mappings, schemas and routing.yaml are intake's: the thread reads routing
 * from the store, and never maps, validates or seals.
 */
export type DeliveryConfig = Pick<ConfigFiles, 'configFile' | 'configDir' | 'dataDir' | 'fileDropRoot' | 'gateway'>;

/**
 * What the thread starts from: the main thread's copy of the settings in force (plain data, cloned), so that the
 * thread loads no configuration files — nor the schema, mapping and XML libraries that loading them brings — and a
 * restarted thread runs with the settings the gateway started with (gateway.yaml applies only on restart).
 */
export interface DeliveryThreadData {
  config: DeliveryConfig;
  /** The main logger's level: the thread writes the lines of that level and above. */
  logLevel: string;
  /** The services configured at the start (a reload sends the new set): routing versions are checked against them. */
  services: string[];
}

/** One metric observation, replayed on the main thread's Metrics under the same names and labels. */
export type Observation =
  | ['attempt', destination: string, outcome: string, durationMs: number]
  | ['ignored-receipt', destination: string, reason: string]
  | ['receipt-poll', destination: string]
  | ['poll-lease', destination: string, held: boolean]
  | ['held-receipt', destination: string, reason: string];

export interface ReceiptInput {
  deliveryId: string;
  destinationId: string;
  submissionId: string;
  set: string;
  receipt: PolledReceipt;
}

export type ToThread =
  | { type: 'kick' }
  /** The routing changed (locally or at another instance): read the newest version now. */
  | { type: 'routing' }
  | { type: 'services'; services: string[] }
  | { type: 'receipt-recorded'; id: number; failure?: ForwardedError }
  | { type: 'stop'; graceMs: number };

export type FromThread =
  | { type: 'ready' }
  /** What a turn of the thread's event loop produced: log lines (serialised by the thread's pino), metrics. */
  | { type: 'batch'; logs: string[]; observations: Observation[]; breakers?: Record<string, BreakerState> }
  /** A receipt an adapter fetched, recorded by the main thread (it releases deferred deliveries from escrow). */
  | { type: 'record-receipt'; id: number; input: ReceiptInput }
  | { type: 'stopped' };

/** An error of the main thread, as the thread rebuilds it: a refusal (AmtsboteError) or a failure. */
export type ForwardedError =
  | { refused: true; code: ProblemCode; detail: string; extensions: Record<string, unknown> }
  | { refused: false; errorClass: string };

/**
 * The main thread failed to record a polled receipt (the store, not the receipt): deliberately no AmtsboteError,
 * so the poll keeps its read position and finds the receipt again (poll-receipts.ts), as it does in-process.
 */
export class ForwardedFailure extends Error {
  constructor(errorClass: string) {
    super('recording the receipt failed on the main thread');
    this.name = errorClass;
  }
}
