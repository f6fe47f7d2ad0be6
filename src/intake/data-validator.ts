import type { KeywordDefinition, ValidateFunction } from 'ajv';
import type { LoadedService } from '../config/load.js';
import { compileJsonSchema } from '../xoev/index.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import { ajvFieldErrors } from './ajv-errors.js';

export type DataValidator = (data: unknown) => FieldError[];

/** Without the project's keywords, `x-din91379` is an annotation (one array, so compiled schemas are shared). */
const annotationOnly: KeywordDefinition[] = [{ keyword: 'x-din91379', schemaType: 'string' }];

/**
 * Compiles each service's JSON Schema once (through xoev's shared compiler: a JSON mapping's output schema is often
 * the same schema). `keywords` are the project's own schema keywords
 * (`x-din91379`, see xoev/din91379); without them they are kept as annotations. The FIM annotations
 * (config/schema-annotations.ts) are always known.
 */
export function compileDataValidators(
  services: Map<string, LoadedService>,
  keywords: KeywordDefinition[] = annotationOnly,
): Map<string, DataValidator> {
  const validators = new Map<string, DataValidator>();
  const ids = new Set<unknown>();
  for (const [key, service] of services) {
    // One $id, one schema: the services' schemas once shared an ajv instance of their own, which refused this.
    const id = service.dataSchema.$id;
    if (typeof id === 'string' && ids.has(id))
      throw invalidSchema(service, key, `schema with key or id "${id}" already exists`);
    ids.add(id);
    let validate: ValidateFunction;
    try {
      validate = compileJsonSchema(service.dataSchema, keywords);
    } catch (e) {
      throw invalidSchema(service, key, (e as Error).message);
    }
    validators.set(key, (data) => (validate(data) ? [] : ajvFieldErrors(validate.errors ?? [], '/data')));
  }
  return validators;
}

const invalidSchema = (service: LoadedService, key: string, message: string) =>
  new AmtsboteError('invalid-config', `${service.definition.dataSchema} (service ${key}): ${message}`);
