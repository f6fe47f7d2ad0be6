import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
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
      const store = await openStore(loaded, undefined, options);
      try {
        return await fn(store, loaded);
      } finally {
        await store.close();
      }
    },
  };
}
