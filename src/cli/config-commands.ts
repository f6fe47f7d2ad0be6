import type { CliContext } from './context.js';
import { resolve } from 'node:path';
import { defaultConfigFile, loadConfig } from '../config/load.js';
import { gatewaySchema } from '../config/gateway-schema.js';
import { readConfigFile } from '../config/read-yaml.js';
import { assertSecretsReadable, gatewaySecretProblems, routingSecretProblems } from '../config/secret-references.js';
import { compileDataValidators } from '../intake/data-validator.js';
import { din91379Keyword, loadXoev } from '../xoev/index.js';
import { requestConfigReload } from './config-reload.js';

/** Checks the configuration, and asks a running gateway to reload it. */
export function registerConfigCommands({ program, print }: CliContext): void {
  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check [file]')
    .description('validate gateway.yaml with its routing and services; exits non-zero naming file, path and problem')
    .action((file?: string) => {
      const loaded = loadConfig({ configFile: file ?? program.opts<{ config?: string }>().config });
      // the same check and wording as the start: every secret referenced, gateway.yaml's and the routing file's
      assertSecretsReadable([
        ...gatewaySecretProblems(loaded),
        ...routingSecretProblems(loaded, loaded.routing, resolve(loaded.configDir, loaded.gateway.routing)),
      ]);
      compileDataValidators(loaded.services, [din91379Keyword]);
      loadXoev(loaded.paths).close();
      print(
        `configuration ok: ${loaded.configFile}\n` +
          `  services: ${loaded.services.size}, destinations: ${loaded.routing.destinations.length}, rules: ${loaded.routing.rules.length}, ` +
          `portals (seed): ${loaded.gateway.portals.length}\n  hash: ${loaded.hash}`,
      );
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
