/**
 * Loads every inbound mapping under `mappings/inbound/*.yaml` at start (files starting with `_` or `.` are
 * skipped, sub-folders are not read). Everything that can be wrong with a file is found here and refused with the
 * file and a pointer into it — invalid YAML or keys, a service the gateway does not have, an expression that does
 * not compile, a schema that does not compile, two files for one data schema — so nothing fails on a submission
 * later for a reason that was in the configuration.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configError } from '../../config/config-error.js';
import { readConfigFile } from '../../config/read-yaml.js';
import { compileInboundExpression, type CompiledInboundExpression } from './inbound-mapping-expression.js';
import { inboundMappingFileSchema, type InboundMappingFile } from './inbound-mapping-file-schema.js';
import { compileJsonSchemaCheck, compileXsdCheck, type SchemaCheck } from './inbound-mapping-schema-check.js';
import type { InboundMapping, InboundMappings, InboundProduce } from './inbound-mapping-types.js';
import type { SchemaDirs } from '../../xoev/index.js';

export interface LoadedInboundMappings extends InboundMappings {
  /** Frees the compiled XSDs (WASM memory); call on shutdown or when a reload replaces these. */
  close(): void;
}

export interface InboundLoadOptions {
  /** The gateway's schema folders (gateway.yaml `xsd`, the official sets): needed by mappings naming a `schemaSet`. */
  schemaDirs?: SchemaDirs;
}

/** Asynchronous by the agreed interface (room for schemas read from elsewhere); a bad file rejects the promise. */
export function loadInboundMappings(
  dir: string,
  serviceKeys: ReadonlySet<string>,
  options: InboundLoadOptions = {},
): Promise<LoadedInboundMappings> {
  return new Promise((done) => {
    done(loadNow(dir, serviceKeys, options));
  });
}

function loadNow(dir: string, serviceKeys: ReadonlySet<string>, options: InboundLoadOptions): LoadedInboundMappings {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw configError(dir, [], 'the inbound mappings folder does not exist');
  const files = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('_') && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
  const checks: SchemaCheck[] = [];
  const byKey = new Map<string, InboundMapping>();
  try {
    for (const file of files) {
      const raw = readConfigFile(file, inboundMappingFileSchema).value;
      const mapping = compileMapping(file, raw, { serviceKeys, checks, schemaDirs: options.schemaDirs });
      const key = keyOf(mapping.schemaUri, mapping.mimeType);
      const other = byKey.get(key);
      if (other !== undefined)
        throw configError(
          file,
          ['schemaUri'],
          `${mapping.schemaUri} (${mapping.mimeType}) is already mapped by ${other.file}`,
        );
      byKey.set(key, mapping);
    }
  } catch (e) {
    for (const check of checks) check.close();
    throw e;
  }
  const list = [...byKey.values()];
  return {
    find: (schemaUri, mimeType) => byKey.get(keyOf(schemaUri, mimeType)),
    list: () => list,
    close: () => {
      for (const check of checks.splice(0)) check.close();
    },
  };
}

const keyOf = (schemaUri: string, mimeType: string): string => `${mimeType.toLowerCase()} ${schemaUri}`;

function compileMapping(
  file: string,
  raw: InboundMappingFile,
  {
    serviceKeys,
    checks,
    schemaDirs,
  }: { serviceKeys: ReadonlySet<string>; checks: SchemaCheck[]; schemaDirs?: SchemaDirs },
): InboundMapping {
  const produces = raw.produces.map((p, i): InboundProduce => {
    if (!serviceKeys.has(p.service))
      throw configError(
        file,
        ['produces', i, 'service'],
        `${p.service} is not a configured service (config/services/)`,
      );
    if (p.when === undefined && i < raw.produces.length - 1)
      throw configError(
        file,
        ['produces', i, 'when'],
        'is required on all but the last entry (the ones after it could never apply)',
      );
    return {
      service: p.service,
      ...(p.when === undefined ? {} : { when: compile(file, p.when, ['produces', i, 'when']) }),
      data: compile(file, p.data, ['produces', i, 'data']),
    };
  });
  let check: SchemaCheck | undefined;
  if (raw.schema !== undefined) {
    const schemaFile = resolve(dirname(file), raw.schema);
    if (!existsSync(schemaFile)) throw configError(file, ['schema'], `${schemaFile} does not exist`);
    check =
      raw.mimeType === 'application/json'
        ? compileJsonSchemaCheck(schemaFile, file, raw.schemaUri)
        : compileXsdCheck({ file: schemaFile }, file, raw.schemaUri);
    checks.push(check);
  } else if (raw.schemaSet !== undefined) {
    if (schemaDirs === undefined)
      throw configError(
        file,
        ['schemaSet'],
        'names a schema set, but the gateway gave no schema folders to find it in',
      );
    check = compileXsdCheck({ ...raw.schemaSet, dirs: schemaDirs }, file, raw.schemaUri);
    checks.push(check);
  }
  return {
    file,
    schemaUri: raw.schemaUri,
    mimeType: raw.mimeType,
    services: [...new Set(produces.map((p) => p.service))],
    produces,
    attachments: raw.attachments,
    maxBytes: raw.maxBytes,
    ...(raw.xml === undefined
      ? {}
      : {
          xml: {
            namespace: raw.xml.root.namespace,
            rootNames: new Set(raw.xml.root.names),
            lists: new Set(raw.xml.lists),
          },
        }),
    ...(check === undefined ? {} : { validate: check.validate }),
  };
}

function compile(file: string, source: string, path: (string | number)[]): CompiledInboundExpression {
  try {
    return compileInboundExpression(source);
  } catch (e) {
    const error = e as { message?: unknown; position?: unknown };
    const at = typeof error.position === 'number' ? ` at character ${error.position}` : '';
    throw configError(file, path, `does not compile${at}: ${String(error.message ?? e)}`);
  }
}
