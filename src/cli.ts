#!/usr/bin/env node
import { Command, Option } from 'commander';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { isAmtsboteError } from './errors.js';
import { startGateway } from './gateway.js';
import { compileDataValidators } from './intake/data-validator.js';
import { addPortal, rotatePortalToken } from './intake/portal-tokens.js';
import { importRouting } from './routing/import-routing.js';
import { resolveRoute } from './routing/resolve.js';
import { portalSchema } from './config/gateway-schema.js';
import { routingSchema } from './config/routing-schema.js';
import { instantMs } from './routing/validity.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { version } from './version.js';

const program = new Command('amtsbote')
  .description('Interoperability gateway for municipal e-government: portal submissions in, sealed XÖV messages out.')
  .version(version)
  .option('-c, --config <file>', 'gateway.yaml to use (default: $AMTSBOTE_CONFIG or config/gateway.yaml)');

const config = (): LoadedConfig => loadConfig({ configFile: program.opts<{ config?: string }>().config });
const print = (text: string) => process.stdout.write(text + '\n');

/** Runs a command against the store the configuration names, closing it afterwards. */
async function withStore<T>(fn: (store: Store, loaded: LoadedConfig) => Promise<T>): Promise<T> {
  const loaded = config();
  const store = await openStore(loaded);
  try {
    return await fn(store, loaded);
  } finally {
    await store.close();
  }
}

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
    const loaded = loadConfig({ configFile: file ?? program.opts<{ config?: string }>().config });
    compileDataValidators(loaded.services);
    print(
      `configuration ok: ${loaded.configFile}\n` +
        `  services: ${loaded.services.size}, destinations: ${loaded.routing.destinations.length}, rules: ${loaded.routing.rules.length}, ` +
        `portals (seed): ${loaded.gateway.portals.length}\n  hash: ${loaded.hash}`,
    );
  });

const routingCommand = program.command('routing').description('routing versions in the store');
routingCommand
  .command('import <file>')
  .description('store a routing file as a new version (after validation); the only way a file replaces stored routing')
  .requiredOption('--note <text>', 'why this change (kept in the history)')
  .option('--author <name>', 'who makes the change', process.env.USER ?? 'cli')
  .action(async (file: string, options: { note: string; author: string }) => {
    await withStore(async (store, loaded) => {
      const result = await importRouting(store, file, { knownServices: new Set(loaded.services.keys()), note: options.note, author: options.author, now: new Date() });
      print(`imported ${file} as routing version ${result.version}`);
      if (result.diff) print(JSON.stringify(result.diff, null, 2));
    });
  });

program
  .command('route <serviceKey> <regionKey>')
  .description('which destinations a submission would reach under the routing in force, and why')
  .option('--at <time>', 'time of receipt to evaluate (date or ISO date-time); default now')
  .action(async (serviceKey: string, regionKey: string, options: { at?: string }) => {
    await withStore(async (store) => {
      const current = await store.currentRouting();
      if (!current) throw new Error('the store holds no routing yet: start the gateway once, or run "amtsbote routing import"');
      const at = options.at ? new Date(instantMs(options.at)) : new Date();
      if (Number.isNaN(at.getTime())) throw new Error(`--at ${options.at ?? ''} is not a date`);
      const result = resolveRoute(routingSchema.parse(current.document), serviceKey, regionKey, at);
      print(`routing version ${current.version}, at ${at.toISOString()}: ${result.explanation.summary}`);
      for (const c of result.explanation.considered) print(`  rule ${c.index} (region ${c.region}): ${c.outcome}`);
      if (result.explanation.skippedDisabled.length > 0) print(`  disabled, skipped: ${result.explanation.skippedDisabled.join(', ')}`);
      for (const d of result.destinations) print(`→ ${d.id} (${d.adapter.kind}; ${d.standard.name} ${d.standard.version} ${d.standard.message})`);
      if (result.destinations.length === 0) process.exitCode = 2;
    });
  });

const portalCommand = program.command('portal').description('portals and their tokens (kept in the store)');
const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);
portalCommand
  .command('add <id>')
  .description('add a portal; prints its token once (only the hash is stored)')
  .requiredOption('--services <keys>', 'comma-separated LeiKa keys, or *', list)
  .requiredOption('--regions <prefixes>', 'comma-separated ARS prefixes', list)
  .addOption(new Option('--name <name>', 'display name'))
  .action(async (id: string, options: { services: string[]; regions: string[]; name?: string }) => {
    await withStore(async (store) => {
      const portal = portalSchema.omit({ tokenHashes: true }).parse({ id, name: options.name ?? id, services: options.services, regions: options.regions });
      const result = await addPortal(store, portal, new Date());
      print(`portal ${id} added. Its token (shown only now):\n${result.token}`);
    });
  });
portalCommand
  .command('rotate-token <id>')
  .description('issue a new token; the old one stays valid for tokenRotationOverlapHours')
  .action(async (id: string) => {
    await withStore(async (store, loaded) => {
      const result = await rotatePortalToken(store, id, new Date(), loaded.gateway.tokenRotationOverlapHours);
      print(`new token for ${id} (shown only now):\n${result.token}\nprevious tokens valid until ${result.previousValidUntil}`);
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAmtsboteError(error)) {
    process.stderr.write(`amtsbote: ${error.message}\n`);
  } else {
    process.stderr.write(`amtsbote: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
