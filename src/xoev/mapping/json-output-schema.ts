/**
 * The JSON Schema a JSON mapping's output must meet — the delivered format's "profile schema". Compiled
 * once when the mappings load; a request only validates.
 */
import { readFileSync } from 'node:fs';
import { configError } from '../../config/config-error.js';
import { compileJsonSchema } from '../json-schema/compile-json-schema.js';

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
  let check;
  try {
    // Shared with the services' data validators: the output schema is usually a service's data schema.
    check = compileJsonSchema(schema);
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
