import { resolve } from 'node:path';
import type { CliContext } from './context.js';
import { packageRoot } from '../lib/version.js';
import type { DemoReceivers } from './demo-receiver.js';
import { mallocSettingsNote, runsOnGlibc } from './malloc-settings.js';

const environmentHelp = `
Environment:
  AMTSBOTE_CONFIG          gateway.yaml to use (default: config/gateway.yaml, the embedded demo configuration)
  AMTSBOTE_PORT            port of the portal API, admin API and page (overrides listen.port; 0 = any free port)
  AMTSBOTE_METRICS_PORT    port of /metrics when metrics.listen is set (overrides metrics.listen.port)
  AMTSBOTE_DATA_DIR        data dir: SQLite file, development keys, file outboxes (overrides dataDir)
  AMTSBOTE_DATABASE_URL    a postgres:// URL: use PostgreSQL, whatever store: says
  AMTSBOTE_LOG_LEVEL       pino log level (default info)
  AMTSBOTE_DEMO_RECEIVER   "off": no demo receiver, as --no-demo-receiver

Demo receiver: on the embedded demo configuration only, serve also starts a small receiver for every http
destination on this machine (the demo's Chemnitz Gewerbeamt, http://127.0.0.1:9181/gewerbe/eingang). It checks
the gateway's webhook signature and keeps the sealed messages under <data dir>/demo-receiver/<destination>/.

Examples:
  amtsbote serve                                   the demo on http://127.0.0.1:8080
  AMTSBOTE_PORT=8081 amtsbote serve                the demo on port 8081
  amtsbote serve --port 8081 --data-dir /tmp/demo  the same, with a data dir of its own
  amtsbote --config /etc/amtsbote/gateway.yaml serve
`;

/** Runs the gateway. The action imports the gateway when it runs (see cli.ts). */
export function registerServeCommands({ program }: CliContext): void {
  program
    .command('serve')
    .description(
      'run the gateway: portal API, admin API and page, delivery worker (stops on SIGTERM/SIGINT, reloads services and mappings on SIGHUP)',
    )
    .option('-p, --port <port>', 'port to listen on (as AMTSBOTE_PORT; overrides listen.port)')
    .option('--data-dir <dir>', 'data dir (as AMTSBOTE_DATA_DIR; overrides dataDir)')
    .option('--no-demo-receiver', 'do not start the demo receiver (see below)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', environmentHelp)
    .action(async (options: { port?: string; dataDir?: string; demoReceiver: boolean }) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...(options.port === undefined ? {} : { AMTSBOTE_PORT: options.port }),
        ...(options.dataDir === undefined ? {} : { AMTSBOTE_DATA_DIR: options.dataDir }),
      };
      const configFile = program.opts<{ config?: string }>().config;
      const [
        { startGateway },
        { createLogger },
        { defaultConfigFile, loadConfigWithRoutingSeed },
        { installProcessGuard },
      ] = await Promise.all([
        import('../gateway/start.js'),
        import('../lib/logger.js'),
        import('../config/load.js'),
        import('../observability/process-guard.js'),
      ]);
      const logger = createLogger();
      const mallocNote = mallocSettingsNote(process.env, runsOnGlibc());
      if (mallocNote) logger.info({ malloc: 'dynamic-threshold' }, mallocNote);
      // routing.yaml's problems are the gateway's to judge: over a store that holds routing they are a warning.
      // Loaded once: the gateway starts with this load (it took a second one, a fifth of the start, issue 26).
      const loaded = loadConfigWithRoutingSeed({ configFile, env });
      const { routingSeed, ...config } = loaded;
      // Demo mode is the embedded configuration itself, never a copy or an operator's file.
      const embedded = config.configFile === resolve(packageRoot(), defaultConfigFile);
      const wanted = options.demoReceiver && env.AMTSBOTE_DEMO_RECEIVER !== 'off';
      // Started before the gateway, so that deliveries left over from a previous run find it at once.
      const demo: DemoReceivers | undefined =
        embedded && wanted && 'routing' in routingSeed
          ? await (
              await import('./demo-receiver.js')
            ).startDemoReceivers({ ...config, routing: routingSeed.routing }, logger)
          : undefined;
      let gateway: Awaited<ReturnType<typeof startGateway>>;
      try {
        gateway = await startGateway({ configFile, env, logger, loaded });
      } catch (error) {
        await demo?.close();
        throw error;
      }
      const stop = (code: number) => {
        void gateway
          .close()
          .then(() => demo?.close())
          .then(() => process.exit(code));
      };
      // Errors that escape every handler are logged and counted; only a storm of them stops the process.
      installProcessGuard({
        logger,
        record: (kind) => {
          gateway.metrics.recordProcessFault(kind);
        },
        shutdown: () => {
          stop(1);
        },
      });
      process.once('SIGTERM', () => {
        stop(0);
      });
      process.once('SIGINT', () => {
        stop(0);
      });
      // SIGHUP reloads services and mappings like POST /admin/v1/config/reload; the reloader logs the outcome.
      process.on('SIGHUP', () => {
        gateway.reloadConfig().catch(() => undefined);
      });
    });
}
