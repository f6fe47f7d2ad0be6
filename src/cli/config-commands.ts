import type { CliContext } from './context.js';
import { loadConfig } from '../config/load.js';
import { compileDataValidators } from '../intake/data-validator.js';
import { din91379Keyword, loadXoev } from '../xoev/index.js';

/** Checks the configuration. */
export function registerConfigCommands({ program, print }: CliContext): void {
  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check [file]')
    .description('validate gateway.yaml with its routing and services; exits non-zero naming file, path and problem')
    .action((file?: string) => {
      const loaded = loadConfig({ configFile: file ?? program.opts<{ config?: string }>().config });
      compileDataValidators(loaded.services, [din91379Keyword]);
      loadXoev(loaded.paths).close();
      print(
        `configuration ok: ${loaded.configFile}\n` +
          `  services: ${loaded.services.size}, destinations: ${loaded.routing.destinations.length}, rules: ${loaded.routing.rules.length}, ` +
          `portals (seed): ${loaded.gateway.portals.length}\n  hash: ${loaded.hash}`,
      );
    });
}
