import { z } from 'zod';
import { amqpAdapterConfigSchema } from './amqp-config.js';
import { fileAdapterConfigSchema } from './file-config.js';
import { fitconnectAdapterConfigSchema } from './fitconnect/config.js';
import { httpAdapterConfigSchema } from './http-config.js';
import { mailboxAdapterConfigSchema } from './mailbox-config.js';

/**
 * The table of adapter kinds and their config schemas, which routing validates against when it is loaded.
 * Adding a kind adds its config file and one entry here.
 */
export const adapterConfigSchema = z.discriminatedUnion('kind', [
  httpAdapterConfigSchema,
  mailboxAdapterConfigSchema,
  fileAdapterConfigSchema,
  amqpAdapterConfigSchema,
  fitconnectAdapterConfigSchema,
]);

export type AdapterConfig = z.infer<typeof adapterConfigSchema>;
export type AdapterKind = AdapterConfig['kind'];
