import type { CliContext } from './context.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { version } from '../lib/version.js';
import type { StoredPortal } from '../store/types.js';

// Each action imports what it runs (see cli.ts): schemas, validators and the XML stack load only for these commands.
const xoevModule = () => import('../xoev/index.js');

/** Mapping dry runs, official schema sets and code lists. */
export function registerXoevCommands({ program, config, print, withStore }: CliContext): void {
  program
    .command('map')
    .description(
      "dry run of a mapping: print each destination's XML and its validation result; stores and sends nothing",
    )
    .requiredOption('--service <key>', 'LeiKa key')
    .requiredOption('--region <ars>', 'regional key (ARS)')
    .requiredOption('--input <file>', 'a submission envelope as in examples/, or just its data (JSON)')
    .option('--destination <id>', 'only this destination')
    .option(
      '--portal <id>',
      'the portal whose identity messages written by a portal carry (from gateway.yaml)',
      'amt24',
    )
    .action(
      async (options: { service: string; region: string; input: string; destination?: string; portal: string }) => {
        const loaded = await config();
        const [{ routingSchema }, { compileDataValidators }, { din91379Keyword, loadXoev }, { dryRunMapping }] =
          await Promise.all([
            import('../config/routing-schema.js'),
            import('../intake/data-validator.js'),
            xoevModule(),
            import('../intake/dry-run-mapping.js'),
          ]);
        const xoev = loadXoev(loaded.paths);
        try {
          const store = loaded.gateway.store;
          // The store's routing is in force where there is a store; a fresh checkout uses routing.yaml.
          const hasStore = store.kind === 'postgres' || existsSync(resolve(loaded.dataDir, store.file));
          const routing = hasStore
            ? await withStore(async (store) =>
                routingSchema.parse((await store.currentRouting())?.document ?? loaded.routing),
              )
            : loaded.routing;
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
            portal: loaded.gateway.portals.find((p) => p.id === options.portal) as StoredPortal | undefined,
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
      },
    );

  const schemasCommand = program.command('schemas').description('official XÖV schema sets');
  schemasCommand
    .command('add <source>')
    .description(
      'install an official schema set (folder or zip, e.g. an XRepository download); it takes precedence from the next start',
    )
    .requiredOption('--standard <name>', 'e.g. xgewerbeanzeige')
    .requiredOption('--standard-version <version>', 'e.g. 2.2')
    .option('--name <name>', 'name of the set (default: the file or folder name)')
    .action(async (source: string, options: { standard: string; standardVersion: string; name?: string }) => {
      const loaded = await config();
      const { installSchemaSet } = await xoevModule();
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
    .description(
      'install an official genericode code list; it replaces the excerpt of the same list from the next start',
    )
    .action(async (file: string) => {
      const loaded = await config();
      const { installCodeList } = await xoevModule();
      const result = installCodeList(file, loaded.paths.installedCodelistsDir);
      print(`installed ${result.uri} version ${result.version} as ${result.target}`);
    });
}
