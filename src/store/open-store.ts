import { resolve } from 'node:path';
import type { ConfigFiles } from '../config/load.js';
import { readSecret } from '../lib/secret-ref.js';
import type { Logger } from '../lib/logger.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';
import type { MigrationContext } from './migrations/context.js';

/**
 * Opens (and, unless told not to, migrates) the store the configuration names: for the gateway and CLI commands alike.
 */
export async function openStore(
  config: ConfigFiles,
  logger?: Logger,
  options: { migrate?: boolean } & MigrationContext = {},
): Promise<Store> {
  const settings = config.gateway.store;
  const store =
    settings.kind === 'postgres'
      ? openPostgresStore(
          settings.url.startsWith('postgres') ? settings.url : readSecret(settings.url, config.configDir),
          {
            poolSize: settings.poolSize,
            onConnectionError: (error) =>
              logger?.warn({ errorClass: error.name }, 'a PostgreSQL connection broke; the pool opens a new one'),
          },
        )
      : openSqliteStore(resolve(config.dataDir, settings.file));
  try {
    if (options.migrate ?? true) await store.migrate({ keyedHash: options.keyedHash });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
