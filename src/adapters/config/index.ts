import { z } from 'zod';
import { amqpAdapterConfigSchema } from './amqp.js';
import { fileAdapterConfigSchema } from './file.js';
import { fitconnectAdapterConfigSchema } from '../fitconnect/config.js';
import { httpAdapterConfigSchema } from './http.js';
import { mailboxAdapterConfigSchema } from './mailbox.js';

/**
 * The adapters' config schemas, one per kind, without their runtime: the routing schema is built from these, so
 * loading and checking the configuration loads no transport (undici, amqplib) or crypto (jose) code (issue 26).
 * The order is the adapter table's (adapters/index.ts, which is typed to have a row for exactly these kinds): zod
 * names the kinds it expected in it.
 */
export const adapterConfigSchemas = [
  httpAdapterConfigSchema,
  mailboxAdapterConfigSchema,
  fileAdapterConfigSchema,
  amqpAdapterConfigSchema,
  fitconnectAdapterConfigSchema,
] as const;

/** The `adapter` of a routing destination, validated against the schema its `kind` names. */
export const adapterConfigSchema = z.discriminatedUnion('kind', [...adapterConfigSchemas]);

/** The kinds in the order above, as a tuple type (the adapter table is checked against it). */
export type AdapterKindOrder = {
  -readonly [I in keyof typeof adapterConfigSchemas]: KindOf<(typeof adapterConfigSchemas)[I]>;
};
type KindOf<Schema> = Schema extends { shape: { kind: { value: infer Kind } } } ? Kind : never;
export type AdapterKind = AdapterKindOrder[number];
/** The `adapter` member of a routing destination: one kind's config. */
export type AdapterConfig = z.output<typeof adapterConfigSchema>;
