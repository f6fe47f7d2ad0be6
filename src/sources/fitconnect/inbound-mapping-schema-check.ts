/**
 * The optional local schema an inbound mapping names, compiled once at load: a JSON Schema (draft 2020-12, with
 * the project's DIN 91379 keyword and FIM annotations, as the services' schemas) for JSON data, an XSD (compiled by
 * the XÖV layer's schema-set compiler, never reaching the network, shared with the XÖV layer's copy) for XML data.
 * Each gives the received data's problems with a pointer: a JSON pointer, or libxml2's XPath of the offending node.
 */
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { configError } from '../../config/config-error.js';
import { ajvFieldErrors } from '../../intake/ajv-errors.js';
import {
  acquireSchemaSet,
  compileJsonSchema,
  findSchemaSet,
  releaseSchemaSet,
  validateXml,
  type SchemaDirs,
} from '../../xoev/index.js';
import type { InboundData, InboundIssue } from './inbound-mapping-types.js';

/** Bounded: enough to show the sender what is wrong, bounded for hostile input. */
const maxIssues = 20;

export interface SchemaCheck {
  validate: (data: InboundData) => InboundIssue[];
  /** Frees what the check holds (an XSD's WASM memory). */
  close: () => void;
}

export function compileJsonSchemaCheck(schemaFile: string, mappingFile: string, schemaUri: string): SchemaCheck {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  } catch (e) {
    throw configError(mappingFile, ['schema'], `${schemaFile} cannot be read as JSON (${(e as Error).message})`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw configError(mappingFile, ['schema'], `${schemaFile} is not a JSON Schema object`);
  const id = (schema as Record<string, unknown>).$id;
  // A local copy of the schema the online service names: a different $id means a different schema.
  if (id !== undefined && id !== schemaUri)
    throw configError(
      mappingFile,
      ['schema'],
      `${schemaFile} has the $id ${JSON.stringify(id)}, not the schemaUri ${schemaUri}`,
    );
  let check: ValidateFunction;
  try {
    // Shared with the services' data validators: the local copy is usually a service's data schema.
    check = compileJsonSchema(schema);
  } catch (e) {
    throw configError(mappingFile, ['schema'], `${schemaFile} does not compile: ${(e as Error).message}`);
  }
  return {
    validate: (data) => (check(data.value) ? [] : ajvFieldErrors(check.errors ?? [], '').slice(0, maxIssues)),
    close: () => undefined,
  };
}

/**
 * An XSD named by file (`schema`), or the gateway's schema set of a standard and version (`schemaSet`: the official
 * set an operator installed, else the project's profile), found and compiled as for the messages it produces.
 */
export function compileXsdCheck(
  source: { file: string } | { standard: string; version: string; dirs: SchemaDirs },
  mappingFile: string,
  schemaUri: string,
): SchemaCheck {
  let set;
  const key = 'file' in source ? 'schema' : 'schemaSet';
  try {
    // Shared with the XÖV layer's set of the same standard and version (one compile, freed by its last holder).
    set = acquireSchemaSet(
      'file' in source
        ? {
            id: `inbound:${schemaUri}`,
            kind: 'amtsbote-profile',
            standard: 'inbound',
            version: schemaUri,
            rootFile: source.file,
          }
        : findSchemaSet(source.dirs, source.standard, source.version),
    );
  } catch (e) {
    throw configError(mappingFile, [key], (e as Error).message);
  }
  let released = false;
  return {
    validate: (data) => {
      if (data.kind !== 'xml') return [{ pointer: '', detail: 'is not XML' }];
      const result = validateXml(set, data.text);
      return result.errors.slice(0, maxIssues).map((issue) => ({
        pointer: issue.xmlPath ?? '',
        detail: issue.line === undefined ? issue.message : `${issue.message} (line ${issue.line})`,
      }));
    },
    close: () => {
      // Once only: a second release would take the set from another holder.
      if (released) return;
      released = true;
      releaseSchemaSet(set);
    },
  };
}
