import type { Command } from 'commander';
import { loadHmacSecret } from '../config/gateway-secret.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { keyedHash } from '../lib/keyed-hash.js';
import type { MigrationContext } from '../store/migrations/context.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/** What every command module gets: the program, the configuration it names, and the store. */
export interface CliContext {
  program: Command;
  config: () => LoadedConfig;
  print: (text: string) => void;
  /** Runs a command against the store the configuration names, closing it afterwards. */
  withStore: <T>(fn: (store: Store, loaded: LoadedConfig) => Promise<T>, options?: { migrate?: boolean }) => Promise<T>;
}

/** Who the audit log names for a CLI command: the operating-system user. */
export const cliActor = (): string => process.env.USER ?? 'cli';

export function cliContext(program: Command): CliContext {
  const config = (): LoadedConfig => loadConfig({ configFile: program.opts<{ config?: string }>().config });
  return {
    program,
    config,
    print: (text) => process.stdout.write(text + '\n'),
    withStore: async (fn, options) => {
      const loaded = config();
      const store = await openStore(loaded, undefined, { ...options, ...migrationContext(loaded) });
      try {
        return await fn(store, loaded);
      } finally {
        await store.close();
      }
    },
  };
}

/** The gateway's keyed hash, for migrations that convert stored values; the secret is read only when one needs it. */
export function migrationContext(loaded: LoadedConfig): MigrationContext {
  return {
    keyedHash: () =>
      keyedHash(
        loadHmacSecret(loaded.gateway.hmacSecret, loaded.configDir, loaded.dataDir, loaded.gateway.store.kind).secret,
      ),
  };
}
