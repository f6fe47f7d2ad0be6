import { resolve } from 'node:path';
import type { ConfigFiles } from '../config/load.js';
import { readSecret } from '../lib/secret-ref.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from './store.js';
import type { MigrationContext } from './migrations/context.js';

/**
 * Opens (and, unless told not to, migrates) the store the configuration names: for the gateway and CLI commands alike.
 * Only the driver of that kind is loaded (the other's is not needed, and loading it costs every CLI command time).
 */
export async function openStore(
  config: Pick<ConfigFiles, 'configDir' | 'dataDir' | 'gateway'>,
  logger?: Logger,
  options: { migrate?: boolean } & MigrationContext = {},
): Promise<Store> {
  const settings = config.gateway.store;
  const store =
    settings.kind === 'postgres'
      ? (await import('./postgres.js')).openPostgresStore(
          settings.url.startsWith('postgres') ? settings.url : readSecret(settings.url, config.configDir),
          {
            poolSize: settings.poolSize,
            onConnectionError: (error) =>
              logger?.warn({ errorClass: error.name }, 'a PostgreSQL connection broke; the pool opens a new one'),
          },
        )
      : (await import('./sqlite.js')).openSqliteStore(resolve(config.dataDir, settings.file));
  try {
    if (options.migrate ?? true) await store.migrate({ keyedHash: options.keyedHash });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
