import { Ajv2020, type KeywordDefinition, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LoadedService } from '../config/load.js';
import { addSchemaAnnotations } from '../config/schema-annotations.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import { ajvFieldErrors } from './ajv-errors.js';

export type DataValidator = (data: unknown) => FieldError[];

/**
 * Compiles each service's JSON Schema once. `keywords` are the project's own schema keywords
 * (`x-din91379`, see xoev/din91379); without them they are kept as annotations. The FIM annotations
 * (config/schema-annotations.ts) are always known.
 */
export function compileDataValidators(
  services: Map<string, LoadedService>,
  keywords: KeywordDefinition[] = [{ keyword: 'x-din91379', schemaType: 'string' }],
): Map<string, DataValidator> {
  const ajv = addSchemaAnnotations(
    new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: true }),
  );
  addFormats.default(ajv);
  for (const keyword of keywords) ajv.addKeyword(keyword);
  const validators = new Map<string, DataValidator>();
  for (const [key, service] of services) {
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(service.dataSchema);
    } catch (e) {
      throw new AmtsboteError(
        'invalid-config',
        `${service.definition.dataSchema} (service ${key}): ${(e as Error).message}`,
      );
    }
    validators.set(key, (data) => (validate(data) ? [] : ajvFieldErrors(validate.errors ?? [], '/data')));
  }
  return validators;
}
