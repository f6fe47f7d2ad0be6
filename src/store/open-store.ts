import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** Opens (and migrates) the store the configuration names: for the gateway and for CLI commands alike. */
export async function openStore(config: LoadedConfig): Promise<Store> {
  const store = openSqliteStore(resolve(config.dataDir, config.gateway.store.file));
  await store.migrate();
  return store;
}
