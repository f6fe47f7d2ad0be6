/**
 * `amtsbote services import-fim`: a FIM Stammdatenschema becomes a JSON service — its data schema, service
 * definition, mapping, example and import report written where the configuration keeps them. A re-import
 * of a newer version of the same schema shows what changed and writes the new schema file beside the old
 * one (each named by its FIM version, each with its own `$id`), so the schema URI earlier messages name keeps
 * resolving; the service and its mapping move to the new version.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
// yaml writes the service and mapping files (with their header comment); they are read as every configuration
// file is, with config/read-yaml.ts.
import { stringify } from 'yaml';
import { readYamlFile } from '../config/read-yaml.js';
import { AmtsboteError } from '../lib/errors.js';
import { importFimSchema, type FimImportOptions } from '../fim/import-schema.js';
import { renderReport, type ImportReport } from '../fim/import-report.js';
import { diffSchemas, renderDiff, type SchemaDiff } from '../fim/schema-diff.js';
import { jsonMapping } from '../fim/service-files.js';
import type { JsonSchema } from '../fim/to-json-schema.js';

export interface ImportFimServiceOptions extends FimImportOptions {
  schemaFile: string;
  /** config/services/ */
  servicesDir: string;
  /** mappings/json/1/ */
  mappingsDir: string;
  /** examples/ */
  examplesDir: string;
  /** Write even though code lists are missing (those selections then take any code; the report lists them). */
  allowMissingCodeLists?: boolean;
  /** Write over an import of the same FIM version. */
  force?: boolean;
}

export interface ImportFimServiceResult {
  written: string[];
  report: ImportReport;
  /** Set when an earlier version of the same schema was imported under the same name. */
  diff?: { fromVersion: string; changes: SchemaDiff; lines: string[] };
}

const versionTag = (version: string | undefined): string => (version ?? 'unversioned').replace(/[^A-Za-z0-9.-]/g, '_');

export function importFimService(options: ImportFimServiceOptions): ImportFimServiceResult {
  let xml: string;
  try {
    xml = readFileSync(options.schemaFile, 'utf8');
  } catch (e) {
    throw new AmtsboteError(
      'invalid-config',
      `${options.schemaFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const imported = importFimSchema(xml, options.schemaFile, options);
  const { names, report, fim } = imported;
  if (report.missingCodeLists.length > 0 && options.allowMissingCodeLists !== true)
    throw new AmtsboteError(
      'invalid-config',
      `${options.schemaFile}: code lists not found in ${options.codelistsDir ?? '(no --codelists given)'}: ${[
        ...new Set(report.missingCodeLists.map((m) => m.list)),
      ].join(
        '; ',
      )}. Download them from XRepository into that folder, or import with --allow-missing-codelists (those selections then take any code). Nothing was written.`,
    );

  const serviceFile = join(options.servicesDir, `${names.fileStem}.yaml`);
  const tag = versionTag(fim.version);
  const schemaName = `${names.fileStem}.fim-${tag}.schema.json`;
  const schemaPath = join(options.servicesDir, schemaName);
  const diff = compareWithEarlier(serviceFile, options, imported.schema, fim.id, fim.version);

  const mappingFile = join(options.mappingsDir, `${names.fileStem}.yaml`);
  const exampleDir = join(options.examplesDir, names.fileStem);
  const reportFile = join(options.servicesDir, `${names.fileStem}.fim-${tag}.report.md`);
  for (const dir of [options.servicesDir, options.mappingsDir, exampleDir]) mkdirSync(dir, { recursive: true });

  const header = `# Imported from FIM ${fim.id} ${fim.version ?? ''} by amtsbote services import-fim; see ${names.fileStem}.fim-${tag}.report.md\n`;
  writeFileSync(schemaPath, `${JSON.stringify(imported.schema, null, 2)}\n`);
  writeFileSync(serviceFile, header + stringify(imported.service(schemaName), { lineWidth: 0 }));
  writeFileSync(
    mappingFile,
    header + stringify(jsonMapping(names, relative(dirname(mappingFile), schemaPath)), { lineWidth: 0 }),
  );
  const exampleFile = join(exampleDir, 'fim-example.json');
  writeFileSync(exampleFile, `${JSON.stringify(imported.example, null, 2)}\n`);
  const expectations = join(exampleDir, 'expectations.json');
  const written = [schemaPath, serviceFile, mappingFile, exampleFile];
  if (!existsSync(expectations)) {
    writeFileSync(expectations, '{}\n');
    written.push(expectations);
  }
  const diffSection = diff
    ? ['', `## Changes since version ${diff.fromVersion}`, '', ...(diff.lines.length > 0 ? diff.lines : ['- none'])]
    : [];
  writeFileSync(reportFile, renderReport(report, diffSection));
  written.push(reportFile);
  return { written, report, ...(diff ? { diff } : {}) };
}

function compareWithEarlier(
  serviceFile: string,
  options: ImportFimServiceOptions,
  schema: JsonSchema,
  fimId: string,
  fimVersion: string | undefined,
): ImportFimServiceResult['diff'] {
  if (!existsSync(serviceFile)) return undefined;
  const earlier = (readYamlFile(serviceFile).value ?? {}) as { key?: unknown; dataSchema?: unknown };
  if (earlier.key !== options.key)
    throw new AmtsboteError(
      'conflict',
      `${serviceFile} already defines the service ${String(earlier.key)}; choose another --file-name for ${options.key}.`,
    );
  const earlierSchema = JSON.parse(
    readFileSync(join(dirname(serviceFile), String(earlier.dataSchema)), 'utf8'),
  ) as JsonSchema;
  const earlierId = earlierSchema['x-fim-id'];
  const earlierVersion = earlierSchema['x-fim-version'];
  if (earlierId !== fimId)
    throw new AmtsboteError(
      'conflict',
      `${serviceFile} is not an import of ${fimId} (its schema is ${typeof earlierId === 'string' ? earlierId : 'hand-made'}); nothing was written.`,
    );
  const fromVersion = typeof earlierVersion === 'string' ? earlierVersion : 'unversioned';
  if (fromVersion === (fimVersion ?? 'unversioned') && options.force !== true)
    throw new AmtsboteError(
      'conflict',
      `${fimId} version ${fromVersion} is already imported as ${serviceFile}; --force writes it again. Nothing was written.`,
    );
  const changes = diffSchemas(earlierSchema, schema);
  return { fromVersion, changes, lines: renderDiff(changes) };
}
