import type { CliContext } from './context.js';
import { startGateway } from '../gateway.js';

/** Runs the gateway. */
export function registerServeCommands({ program }: CliContext): void {
  program
    .command('serve')
    .description('run the gateway')
    .action(async () => {
      const gateway = await startGateway({ configFile: program.opts<{ config?: string }>().config });
      const stop = () => {
        void gateway.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      // SIGHUP reloads services and mappings like POST /admin/v1/config/reload; the reloader logs the outcome.
      process.on('SIGHUP', () => {
        gateway.reloadConfig().catch(() => undefined);
      });
    });
}
