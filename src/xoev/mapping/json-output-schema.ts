/**
 * The JSON Schema a JSON mapping's output must meet — the delivered format's "profile schema". Compiled
 * once when the mappings load; a request only validates.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { configError } from '../../config/config-error.js';
import { addSchemaAnnotations } from '../../config/schema-annotations.js';
import { addDin91379Keyword } from '../din91379/ajv-keyword.js';

/** Bounded: enough to see what a mapping gets wrong, bounded for hostile input. */
const maxErrors = 20;

export interface JsonOutputSchema {
  schemaUri: string;
  /** The schema file, which the gateway also serves to receivers (GET /v1/schemas). */
  schemaFile: string;
  validate: (value: unknown) => { pointer: string; detail: string }[];
}

export function compileJsonOutputSchema(schemaFile: string, mappingFile: string): JsonOutputSchema {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  } catch (e) {
    throw configError(
      mappingFile,
      ['schema'],
      `the schema ${schemaFile} cannot be read as JSON (${(e as Error).message})`,
    );
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw configError(mappingFile, ['schema'], `${schemaFile} is not a JSON Schema object`);
  const id = (schema as Record<string, unknown>).$id;
  if (typeof id !== 'string' || id === '')
    throw configError(
      mappingFile,
      ['schema'],
      `${schemaFile} has no $id: the delivered data must name their schema URI`,
    );
  const ajv = addSchemaAnnotations(
    addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: true })),
  );
  addFormats.default(ajv);
  let check;
  try {
    check = ajv.compile(schema);
  } catch (e) {
    throw configError(mappingFile, ['schema'], `${schemaFile} does not compile: ${(e as Error).message}`);
  }
  return {
    schemaUri: id,
    schemaFile,
    validate: (value) =>
      check(value)
        ? []
        : (check.errors ?? [])
            .slice(0, maxErrors)
            .map((error) => ({ pointer: error.instancePath, detail: error.message ?? 'is invalid' })),
  };
}
