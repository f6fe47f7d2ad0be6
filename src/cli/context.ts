import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/store.js';

/**
 * What every command module gets: the program, the configuration it names, and the store. Configuration and store
 * are loaded when an action asks for them, never when the command tree is declared, so that `--help` and the
 * commands that need neither start without them (see cli.ts).
 */
export interface CliContext {
  program: Command;
  config: () => Promise<LoadedConfig>;
  print: (text: string) => void;
  /** Runs a command against the store the configuration names, closing it afterwards. */
  withStore: <T>(fn: (store: Store, loaded: LoadedConfig) => Promise<T>, options?: { migrate?: boolean }) => Promise<T>;
}

/** Who the audit log names for a CLI command: the operating-system user. */
export const cliActor = (): string => process.env.USER ?? 'cli';

export function cliContext(program: Command): CliContext {
  const config = async (): Promise<LoadedConfig> => {
    const { loadConfig } = await import('../config/load.js');
    return loadConfig({ configFile: program.opts<{ config?: string }>().config });
  };
  return {
    program,
    config,
    print: (text) => process.stdout.write(text + '\n'),
    withStore: async (fn, options) => {
      const loaded = await config();
      const [{ openStore }, { migrationContext }] = await Promise.all([
        import('../store/open-store.js'),
        import('./migration-context.js'),
      ]);
      const store = await openStore(loaded, undefined, { ...options, ...migrationContext(loaded) });
      try {
        return await fn(store, loaded);
      } finally {
        await store.close();
      }
    },
  };
}
