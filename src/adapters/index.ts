import { z } from 'zod';
import * as amqp from './amqp.js';
import * as file from './file.js';
import * as fitconnect from './fitconnect/index.js';
import * as http from './http.js';
import * as mailbox from './mailbox.js';
import type { TransportReferences } from './transport-references.js';
import { type Adapter, type AdapterContext, type DestinationFacts, adapterRow } from './types.js';

/**
 * The adapter table: one row per kind, holding its config schema and its factory. The routing schema's
 * `adapter` union is built from it (in this order: zod reports the kinds it expected in it), and the worker
 * creates adapters through it. Adding a kind adds its file (or folder) and one row here, nothing else.
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
type SchemasOf<Rows extends readonly { configSchema: unknown }[]> = {
  -readonly [I in keyof Rows]: Rows[I]['configSchema'];
};

export type AdapterKind = Row['kind'];
/** The `adapter` member of a routing destination: one kind's config. */
export type AdapterConfig = z.output<Row['configSchema']>;
/** Every reason an adapter of the table may report (each row's own union). */
export type AdapterReason = Row extends { create: (...args: never[]) => Adapter<infer Reason> } ? Reason : never;

/** The `adapter` of a routing destination, validated against the row its `kind` names. */
export const adapterConfigSchema = z.discriminatedUnion(
  'kind',
  // map() loses the tuple's element types, which discriminatedUnion needs; SchemasOf restates them.
  adapterTable.map((row) => row.configSchema) as SchemasOf<typeof adapterTable>,
);

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
