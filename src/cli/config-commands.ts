import type { CliContext } from './context.js';
import { resolve } from 'node:path';
import { defaultConfigFile } from '../config/load.js';
import { gatewaySchema } from '../config/gateway-schema.js';
import { readConfigFile } from '../config/read-yaml.js';
import { checkConfiguration } from './config-check.js';
import { requestConfigReload } from './config-reload.js';

/** Checks the configuration, and asks a running gateway to reload it. */
export function registerConfigCommands({ program, print }: CliContext): void {
  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check [file]')
    .description(
      "validate gateway.yaml, its services and the routing in force (the store's when it holds one, else routing.yaml); exits non-zero naming file, path and problem",
    )
    .action(async (file?: string) => {
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

/** gateway.yaml alone (not its services or routing, which the gateway itself reads on reload), for its address. */
function gatewayAddressSettings(configFile: string | undefined) {
  const file = resolve(configFile ?? process.env.AMTSBOTE_CONFIG ?? defaultConfigFile);
  const { listen, publicBaseUrl } = readConfigFile(file, gatewaySchema).value;
  const port = process.env.AMTSBOTE_PORT;
  return { listen: port && Number.isInteger(Number(port)) ? { ...listen, port: Number(port) } : listen, publicBaseUrl };
}
