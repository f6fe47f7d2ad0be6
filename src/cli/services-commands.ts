import type { CliContext } from './context.js';
import { AmtsboteError } from '../lib/errors.js';

/** Services: import one from a FIM data-field schema. */
export function registerServicesCommands({ program, print }: CliContext): void {
  const services = program.command('services').description('online services (config/services/)');
  services
    .command('import-fim')
    .description(
      'turn a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0.0) into a JSON service: data schema, service file, mapping, example and a report of what JSON Schema cannot say',
    )
    .argument('<schema.xml>', 'the Stammdatenschema (xdatenfelder.stammdatenschema.0102)')
    .requiredOption('--key <leika>', 'LeiKa key of the service (14 digits)')
    .option('--name <name>', "the service's name (default: the schema's name)")
    .option('--file-name <stem>', 'file name stem (default: from the name)')
    .option('--codelists <dir>', 'folder of genericode files the schema refers to (XRepository downloads)')
    .option('--xsd <dir>', "folder of the XDatenfelder XSDs of the schema's version (holding xdatenfelder.xsd)")
    .option('--out <dir>', 'where service files go', 'config/services')
    .option('--mappings <dir>', 'where the JSON mapping goes', 'mappings/json/1')
    .option('--examples <dir>', 'where the example submission goes (a folder per service)', 'examples')
    .option('--region <ars>', 'region of the example submission', '146120000000')
    .option('--allow-missing-codelists', 'write even though code lists are missing (those selections take any code)')
    .option('--force', 'write again over an import of the same version')
    .action(
      async (
        schemaFile: string,
        options: {
          key: string;
          name?: string;
          fileName?: string;
          codelists?: string;
          xsd?: string;
          out: string;
          mappings: string;
          examples: string;
          region: string;
          allowMissingCodelists?: boolean;
          force?: boolean;
        },
      ) => {
        if (!/^\d{14}$/.test(options.key))
          throw new AmtsboteError('invalid-request', '--key must be a 14-digit LeiKa key');
        // The action imports what it runs (see cli.ts).
        const { importFimService } = await import('../operations/import-fim-service.js');
        const result = importFimService({
          schemaFile,
          key: options.key,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.fileName !== undefined ? { fileStem: options.fileName } : {}),
          ...(options.codelists !== undefined ? { codelistsDir: options.codelists } : {}),
          ...(options.xsd !== undefined ? { xsdDir: options.xsd } : {}),
          regionKey: options.region,
          servicesDir: options.out,
          mappingsDir: options.mappings,
          examplesDir: options.examples,
          allowMissingCodeLists: options.allowMissingCodelists === true,
          force: options.force === true,
        });
        const { report } = result;
        print(
          `imported ${report.source.id} version ${report.source.version ?? '(none)'} (XDatenfelder ${report.source.xdatenfelder})`,
        );
        for (const [what, n] of Object.entries(report.became).sort()) print(`  ${what}: ${n}`);
        print(`not expressible (see the report): ${report.notExpressible.length}`);
        print(`warnings: ${report.warnings.length}; code lists missing: ${report.missingCodeLists.length}`);
        if (result.diff) {
          print(`changes since version ${result.diff.fromVersion}:`);
          for (const line of result.diff.lines.length > 0 ? result.diff.lines : ['  none']) print(`  ${line}`);
        }
        for (const file of result.written) print(`wrote ${file}`);
        print('next: add routing rules for the key, then `amtsbote config reload`');
      },
    );
}
