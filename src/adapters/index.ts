import type { AdapterKind } from './config.js';
import { createAmqpAdapter } from './amqp.js';
import { createFileAdapter } from './file.js';
import { createFitConnectAdapter } from './fitconnect/index.js';
import { createHttpAdapter } from './http.js';
import { createMailboxAdapter } from './mailbox.js';
import type { AdapterFactory } from './types.js';

/** The table of adapter kinds: adding a kind adds its file(s) and one entry here (and in config.ts). */
export const adapters: Record<AdapterKind, AdapterFactory> = {
  http: createHttpAdapter,
  mailbox: createMailboxAdapter,
  file: createFileAdapter,
  amqp: createAmqpAdapter,
  fitconnect: createFitConnectAdapter,
};
