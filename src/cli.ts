#!/usr/bin/env node
import { Command } from 'commander';
import { isAmtsboteError } from './lib/errors.js';
import { version } from './lib/version.js';
import { cliContext } from './cli/context.js';
import { registerServeCommands } from './cli/serve-commands.js';
import { registerConfigCommands } from './cli/config-commands.js';
import { registerRoutingCommands } from './cli/routing-commands.js';
import { registerPortalCommands } from './cli/portal-commands.js';
import { registerPortalReplyKeyCommands } from './cli/portal-reply-key-commands.js';
import { registerXoevCommands } from './cli/xoev-commands.js';
import { registerKeysCommands } from './cli/keys-commands.js';
import { registerStoreCommands } from './cli/store-commands.js';
import { registerReceiverCommands } from './cli/receiver-commands.js';
import { registerDlqCommands } from './cli/dlq-commands.js';
import { registerEventsCommands } from './cli/events-commands.js';
import { registerServicesCommands } from './cli/services-commands.js';
import { delayWasmTierUp } from './cli/wasm-tiering.js';

// Before any action imports libxml2-wasm: schema sets compile in a third of the time (cli/wasm-tiering.ts).
delayWasmTierUp();

const program = new Command('amtsbote')
  .description('Interoperability gateway for municipal e-government: portal submissions in, sealed XÖV messages out.')
  .version(version)
  .option('-c, --config <file>', 'gateway.yaml to use (default: $AMTSBOTE_CONFIG or config/gateway.yaml)');

const context = cliContext(program);
registerServeCommands(context);
registerConfigCommands(context);
registerRoutingCommands(context);
registerPortalCommands(context);
registerPortalReplyKeyCommands(context);
registerXoevCommands(context);
registerKeysCommands(context);
registerStoreCommands(context);
registerReceiverCommands(context);
registerDlqCommands(context);
registerEventsCommands(context);
registerServicesCommands(context);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAmtsboteError(error)) {
    process.stderr.write(`amtsbote: ${error.message}\n`);
  } else {
    process.stderr.write(`amtsbote: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
