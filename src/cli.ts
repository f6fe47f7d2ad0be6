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
import { destinationKeyCheck, recipientKeyResolver } from './seal-setup.js';
import { din91379Keyword, installCodeList, installSchemaSet, loadXoev } from './xoev/index.js';
import { dryRunMapping } from './xoev/dry-run-mapping.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runReceiverKeysInit, runReceiverOpen, type CommandResult } from './receiver/index.js';
import { resolve } from 'node:path';

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
    compileDataValidators(loaded.services, [din91379Keyword]);
    loadXoev(loaded.paths).close();
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
      const checkKeys = destinationKeyCheck(await recipientKeyResolver(loaded));
      const result = await importRouting(store, file, { knownServices: new Set(loaded.services.keys()), checkKeys, note: options.note, author: options.author, now: new Date() });
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

program
  .command('map')
  .description('dry run of a mapping: print each destination\'s XML and its validation result; stores and sends nothing')
  .requiredOption('--service <key>', 'LeiKa key')
  .requiredOption('--region <ars>', 'regional key (ARS)')
  .requiredOption('--input <file>', 'a submission envelope as in examples/, or just its data (JSON)')
  .option('--destination <id>', 'only this destination')
  .action(async (options: { service: string; region: string; input: string; destination?: string }) => {
    const loaded = config();
    const xoev = loadXoev(loaded.paths);
    try {
      const storeFile = resolve(loaded.dataDir, loaded.gateway.store.file);
      // The store's routing is in force where there is a store; a fresh checkout uses routing.yaml.
      const routing = existsSync(storeFile) ? await withStore(async (store) => routingSchema.parse((await store.currentRouting())?.document ?? loaded.routing)) : loaded.routing;
      const result = await dryRunMapping({
        config: loaded,
        xoev,
        validators: compileDataValidators(loaded.services, [din91379Keyword]),
        routing,
        serviceKey: options.service,
        regionKey: options.region,
        input: JSON.parse(readFileSync(options.input, 'utf8')) as unknown,
        destinationId: options.destination,
        productVersion: version,
        now: new Date(),
      });
      for (const e of result.dataErrors) print(`data ${e.pointer}: ${e.detail}`);
      for (const m of result.messages) {
        print(`--- ${m.destinationId}: ${m.target}`);
        if (m.xml) print(m.xml);
        print(m.schemaSet ? `valid (${m.schemaSet})` : `NOT VALID: ${m.problem ?? ''}`);
        for (const e of m.errors ?? []) print(`  ${e.pointer || '(no input field)'}: ${e.detail}`);
      }
      if (result.dataErrors.length > 0 || result.messages.some((m) => m.errors !== undefined)) process.exitCode = 1;
    } finally {
      xoev.close();
    }
  });

const schemasCommand = program.command('schemas').description('official XÖV schema sets');
schemasCommand
  .command('add <source>')
  .description('install an official schema set (folder or zip, e.g. an XRepository download); it takes precedence from the next start')
  .requiredOption('--standard <name>', 'e.g. xgewerbeanzeige')
  .requiredOption('--standard-version <version>', 'e.g. 2.2')
  .option('--name <name>', 'name of the set (default: the file or folder name)')
  .action(async (source: string, options: { standard: string; standardVersion: string; name?: string }) => {
    const loaded = config();
    const result = await installSchemaSet(source, {
      officialSchemasDir: loaded.paths.officialSchemasDir,
      xsdDir: loaded.paths.xsdDir,
      standard: options.standard,
      version: options.standardVersion,
      name: options.name,
    });
    print(`installed ${result.id} in ${result.dir}; restart the gateway (or reload) to use it`);
  });

const codelistsCommand = program.command('codelists').description('official code lists (genericode)');
codelistsCommand
  .command('add <file>')
  .description('install an official genericode code list; it replaces the excerpt of the same list from the next start')
  .action((file: string) => {
    const loaded = config();
    const result = installCodeList(file, loaded.paths.installedCodelistsDir);
    print(`installed ${result.uri} version ${result.version} as ${result.target}`);
  });

const keysCommand = program.command('keys').description("the gateway's signing and escrow keys (files in gateway.yaml; their state in the store)");
keysCommand
  .command('list')
  .description('configured keys and their state')
  .action(async () => {
    await withStore(async (store) => {
      const counts = await Promise.all((await store.listKeyStates()).map(async (k) => ({ ...k, open: k.purpose === 'signing' ? await store.countOpenMessagesSignedWith(k.kid) : 0 })));
      for (const k of counts) print(`${k.purpose.padEnd(8)} ${k.state.padEnd(10)} ${k.kid}${k.purpose === 'signing' ? `  (${k.open} open messages signed with it)` : ''}`);
    });
  });
keysCommand
  .command('rotate <kid>')
  .description('make another configured key active; the previous one stays published for verification')
  .action(async (kid: string) => {
    await withStore(async (store, loaded) => {
      const { loadGatewayKeys } = await import('./seal/index.js');
      const keys = await loadGatewayKeys({ config: loaded.gateway.keys, configDir: loaded.configDir, dataDir: loaded.dataDir, storeKind: store.kind });
      if (!keys.signing.has(kid) && !keys.escrow.has(kid)) throw new Error(`${kid} is not a configured key of this gateway (add its file under keys: in gateway.yaml first)`);
      const now = new Date().toISOString();
      await store.registerKeys([...[...keys.signing.keys()].map((k) => ({ kid: k, purpose: 'signing' as const })), ...[...keys.escrow.keys()].map((k) => ({ kid: k, purpose: 'escrow' as const }))], now);
      if (!(await store.activateKey(kid, 'cli', now))) throw new Error(`${kid} is retired and cannot be activated again`);
      await store.appendAudit({ at: now, actor: process.env.USER ?? 'cli', action: 'keys.rotate', detail: { kid } });
      print(`${kid} is active; every instance follows within seconds`);
    });
  });
keysCommand
  .command('retire <kid>')
  .description('stop publishing a key; refused while messages signed with it are not final, unless --force')
  .option('--force', 'retire even though open messages were signed with it')
  .action(async (kid: string, options: { force?: boolean }) => {
    await withStore(async (store) => {
      const state = (await store.listKeyStates()).find((k) => k.kid === kid);
      if (!state) throw new Error(`${kid} is not known to the store`);
      if (state.state === 'active') throw new Error(`${kid} is the active ${state.purpose} key: rotate to another first`);
      const open = await store.countOpenMessagesSignedWith(kid);
      if (open > 0 && !options.force) {
        throw new Error(`${open} undelivered or unacknowledged messages were signed with ${kid}; their receivers still need it (--force to retire anyway)`);
      }
      const now = new Date().toISOString();
      await store.retireKey(kid, 'cli', now);
      await store.appendAudit({ at: now, actor: process.env.USER ?? 'cli', action: 'keys.retire', detail: { kid, openMessages: open, forced: options.force === true } });
      print(`${kid} retired${open > 0 ? ` (forced; ${open} open messages were signed with it)` : ''}`);
    });
  });

const storeCommand = program.command('store').description('the store');
storeCommand
  .command('show-message <messageId>')
  .description('write a stored sealed message to a file (for operators and receivers\' tests)')
  .requiredOption('--out <file>', 'where to write it')
  .action(async (messageId: string, options: { out: string }) => {
    await withStore(async (store) => {
      const message = await store.getSealedMessage(messageId);
      if (!message) throw new Error(`no sealed message ${messageId}`);
      writeFileSync(options.out, message.body, { mode: 0o600 });
      print(`wrote ${options.out} (${message.contentType}, ${message.body.length} bytes)`);
    });
  });

const receiverCommand = program.command('receiver').description('receiver kit for specialist software: keys, open sealed messages');
const emit = (result: CommandResult) => {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
};
receiverCommand
  .command('keys')
  .description('recipient keys')
  .command('init')
  .description("create the recipient's encryption and signing key pairs and print the public JWKS to register")
  .option('--dir <dir>', 'where to write the key files', '.')
  .option('--kid-prefix <prefix>', 'prefix of the key ids')
  .action(async (options: { dir: string; kidPrefix?: string }) => {
    emit(await runReceiverKeysInit(options));
  });
receiverCommand
  .command('open <messageFile>')
  .description('decrypt a sealed message, verify the gateway signature against the pinned JWKS and every hash; write XML, metadata and attachments')
  .requiredOption('--out <dir>', 'folder for the opened parts')
  .requiredOption('--gateway-jwks <fileOrUrl>', "the gateway's JWKS as pinned in your configuration")
  .option('--keys <dir>', 'folder with the private encryption key (from receiver keys init)')
  .option('--key <file...>', 'private encryption key file(s)')
  .option('--destination <id>', 'refuse messages for another destination')
  .action(async (messageFile: string, options: { out: string; gatewayJwks: string; keys?: string; key?: string[]; destination?: string }) => {
    emit(
      await runReceiverOpen({
        messageFile,
        outDir: options.out,
        gatewayJwks: options.gatewayJwks,
        ...(options.keys ? { keysDir: options.keys } : {}),
        ...(options.key ? { keyFiles: options.key } : {}),
        ...(options.destination ? { destinationId: options.destination } : {}),
      }),
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
