/**
 * A Stammdatenschema → everything a JSON service needs, in memory: read (2.0 or 3.0.0), checked against the
 * XSDs where given, converted, an example generated and the service definition and mapping composed.
 * Writing the files, and comparing with an earlier import, is operations/import-fim-service.ts's job.
 */
import { checkAgainstXsd } from './check-xsd.js';
import { readCodeListFolder } from './code-lists.js';
import { exampleData } from './example-data.js';
import type { ImportReport } from './import-report.js';
import type { FimSchema } from './model.js';
import { readXdatenfelder } from './read-xdatenfelder.js';
import { exampleEnvelope, serviceDefinition, type ServiceNames } from './service-files.js';
import { toJsonSchema, type JsonSchema } from './to-json-schema.js';

export interface FimImportOptions {
  key: string;
  /** Display name; the FIM schema's name when not given. */
  name?: string;
  /** File name stem; derived from the name when not given. */
  fileStem?: string;
  codelistsDir?: string;
  xsdDir?: string;
  /** Region of the example submission (ARS); Dresden when not given. */
  regionKey?: string;
}

export interface FimImport {
  fim: FimSchema;
  names: ServiceNames;
  schema: JsonSchema;
  report: ImportReport;
  /** The service file's content, its `dataSchema` still to be set by whoever writes the files. */
  service: (schemaFile: string) => Record<string, unknown>;
  example: Record<string, unknown>;
  /** Example fields no generated value could fill (listed in the report). */
  unfilled: string[];
}

/** `Antrag auf … Bewohnerparkausweis` → `antrag-auf-bewohnerparkausweis`: lower case, ASCII, hyphens. */
export function fileStemOf(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return stem === '' ? 'fim-service' : stem;
}

export function importFimSchema(xml: string, file: string, options: FimImportOptions): FimImport {
  const fim = readXdatenfelder(xml, file);
  const conversion = toJsonSchema(fim, readCodeListFolder(options.codelistsDir));
  const { report } = conversion;
  report.warnings.push(...checkAgainstXsd(xml, fim.xdfVersion, options.xsdDir));
  const name = options.name ?? fim.label ?? fim.name;
  const names: ServiceNames = { key: options.key, name, fileStem: options.fileStem ?? fileStemOf(name) };
  const example = exampleData(conversion.schema);
  for (const pointer of example.unfilled)
    report.notExpressible.push({ fimId: fim.id, pointer, what: 'the example could not meet this pattern: fill it in' });
  return {
    fim,
    names,
    schema: conversion.schema,
    report,
    service: (schemaFile) => serviceDefinition(fim, conversion, names, schemaFile),
    example: exampleEnvelope(names, example, options.regionKey ?? '146120000000'),
    unfilled: example.unfilled,
  };
}
