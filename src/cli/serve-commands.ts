import type { CliContext } from './context.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../observability/logger.js';
import { installProcessGuard } from '../observability/process-guard.js';

/** Runs the gateway. */
export function registerServeCommands({ program }: CliContext): void {
  program
    .command('serve')
    .description('run the gateway')
    .action(async () => {
      const logger = createLogger();
      const gateway = await startGateway({ configFile: program.opts<{ config?: string }>().config, logger });
      const stop = (code: number) => {
        void gateway.close().then(() => process.exit(code));
      };
      // Errors that escape every handler are logged and counted; only a storm of them stops the process.
      installProcessGuard({
        logger,
        record: (kind) => { gateway.metrics.recordProcessFault(kind); },
        shutdown: () => { stop(1); },
      });
      process.once('SIGTERM', () => { stop(0); });
      process.once('SIGINT', () => { stop(0); });
      // SIGHUP reloads services and mappings like POST /admin/v1/config/reload; the reloader logs the outcome.
      process.on('SIGHUP', () => {
        gateway.reloadConfig().catch(() => undefined);
      });
    });
}
