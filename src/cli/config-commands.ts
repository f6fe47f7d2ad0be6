import type { CliContext } from './context.js';

/** Checks the configuration, and asks a running gateway to reload it. Each action imports what it runs (see cli.ts). */
export function registerConfigCommands({ program, print }: CliContext): void {
  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check [file]')
    .description(
      "validate gateway.yaml, its services and the routing in force (the store's when it holds one, else routing.yaml); exits non-zero naming file, path and problem",
    )
    .action(async (file?: string) => {
      const { checkConfiguration } = await import('./config-check.js');
      print(await checkConfiguration({ configFile: file ?? program.opts<{ config?: string }>().config }));
    });
  configCommand
    .command('reload')
    .description(
      'make a running gateway read services, mappings, code lists and schema profiles again (POST /admin/v1/config/reload, ' +
        'admin token from $AMTSBOTE_ADMIN_TOKEN); a broken configuration is refused and the running one stays. With several instances, run it against each',
    )
    .option('--url <url>', 'base URL of the gateway (default: publicBaseUrl, else the listen address of gateway.yaml)')
    .action(async (options: { url?: string }) => {
      const [{ requestConfigReload }, { gatewayAddressSettings }] = await Promise.all([
        import('./config-reload.js'),
        import('./gateway-address-settings.js'),
      ]);
      const result = await requestConfigReload({
        url: options.url,
        gateway: () => gatewayAddressSettings(program.opts<{ config?: string }>().config),
        env: process.env,
      });
      print(
        `${result.reached}: configuration reloaded: ${result.services} services, ${result.mappings} mappings\n  hash: ${result.configHash} (was ${result.previousConfigHash})`,
      );
    });
}
