#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig } from './config/load.js';
import { isAmtsboteError } from './errors.js';
import { startGateway } from './gateway.js';
import { compileDataValidators } from './intake/data-validator.js';
import { version } from './version.js';

const program = new Command('amtsbote')
  .description('Interoperability gateway for municipal e-government: portal submissions in, sealed XÖV messages out.')
  .version(version)
  .option('-c, --config <file>', 'gateway.yaml to use (default: $AMTSBOTE_CONFIG or config/gateway.yaml)');

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
  });

const configCommand = program.command('config').description('configuration tools');
configCommand
  .command('check [file]')
  .description('validate gateway.yaml with its routing and services; exits non-zero naming file, path and problem')
  .action((file?: string) => {
    const config = loadConfig({ configFile: file ?? program.opts<{ config?: string }>().config });
    compileDataValidators(config.services);
    process.stdout.write(
      `configuration ok: ${config.configFile}\n` +
        `  services: ${config.services.size}, destinations: ${config.routing.destinations.length}, rules: ${config.routing.rules.length}, ` +
        `portals (seed): ${config.gateway.portals.length}\n  hash: ${config.hash}\n`,
    );
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAmtsboteError(error)) {
    process.stderr.write(`amtsbote: ${error.message}\n`);
  } else {
    process.stderr.write(`amtsbote: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
