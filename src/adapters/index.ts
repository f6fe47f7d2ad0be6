import * as amqp from './amqp.js';
import * as file from './file.js';
import * as fitconnect from './fitconnect/index.js';
import * as http from './http.js';
import * as mailbox from './mailbox.js';
import type { AdapterConfig, AdapterKind, AdapterKindOrder } from './config/index.js';
import type { TransportReferences } from './transport-references.js';
import { type Adapter, type AdapterContext, type DestinationFacts, adapterRow } from './types.js';

/**
 * The adapter table: one row per kind, holding its config schema and its factory; the worker creates adapters
 * through it. The routing schema's `adapter` union is built from the same schemas in the same order, listed
 * without the runtime in config/index.ts. Adding a kind adds its file (or folder), its schema there, and one row
 * here.
 */
export const adapterTable = [
  adapterRow(http.kind, http.httpAdapterConfigSchema, http.createHttpAdapter),
  adapterRow(mailbox.kind, mailbox.mailboxAdapterConfigSchema, mailbox.createMailboxAdapter),
  adapterRow(file.kind, file.fileAdapterConfigSchema, file.createFileAdapter),
  adapterRow(amqp.kind, amqp.amqpAdapterConfigSchema, amqp.createAmqpAdapter),
  adapterRow(fitconnect.kind, fitconnect.fitconnectAdapterConfigSchema, fitconnect.createFitConnectAdapter, {
    references: fitconnect.fitConnectReferences,
  }),
] as const;

type Row = (typeof adapterTable)[number];

export { adapterConfigSchema, type AdapterConfig, type AdapterKind } from './config/index.js';
/** Every reason an adapter of the table may report (each row's own union). */
export type AdapterReason = Row extends { create: (...args: never[]) => Adapter<infer Reason> } ? Reason : never;

// The table has a row for exactly the kinds of config/index.ts, in its order: a kind without a factory, or a
// factory without its kind's schema, fails the build here.
type TableKinds = { -readonly [I in keyof typeof adapterTable]: KindOfRow<(typeof adapterTable)[I]> };
type KindOfRow<R> = R extends { kind: infer Kind } ? Kind : never;
type Holds<Check extends true> = Check;
export type _TableHasTheSchemasKinds = Holds<
  [TableKinds, AdapterKindOrder] extends [AdapterKindOrder, TableKinds] ? true : false
>;

/** What the factory of a kind receives: its own config, typed as that kind's (never the union). */
type ConfigOf<Kind extends AdapterKind> = Extract<AdapterConfig, { kind: Kind }>;
type Factories = {
  [Kind in AdapterKind]: (
    config: ConfigOf<Kind>,
    context: AdapterContext,
    destination: DestinationFacts,
  ) => Adapter<AdapterReason>;
};

// The rows as a lookup by kind; each row's factory takes exactly its kind's config (adapterRow ties them).
const factories = Object.fromEntries(adapterTable.map((row) => [row.kind, row.create])) as Factories;

/**
 * The adapter for a destination: its kind's factory, given the destination's config for that kind and
 * the facts of the destination an adapter may use (the rest of routing's `Destination` stays behind).
 */
export function createAdapter<Kind extends AdapterKind>(
  destination: { adapter: ConfigOf<Kind> & { kind: Kind } } & DestinationFacts,
  context: AdapterContext,
): Adapter<AdapterReason> {
  const create: Factories[Kind] = factories[destination.adapter.kind];
  return create(destination.adapter, context, { standard: destination.standard, receiptKey: destination.receiptKey });
}

/**
 * The ids a destination's transport assigned to one of its deliveries, read by the row of the destination's
 * adapter kind from the state the delivery persisted; undefined for kinds without such ids, and while there
 * are none yet.
 */
export function transportReferences(kind: string, state: unknown): TransportReferences | undefined {
  if (state === undefined || state === null) return undefined;
  return adapterTable.find((row) => row.kind === kind)?.references?.(state);
}

/** The kinds whose transport assigns ids of its own (rows with `references`): only their states are read. */
export const kindsWithReferences: ReadonlySet<string> = new Set(
  adapterTable.filter((row) => row.references !== undefined).map((row) => row.kind),
);
