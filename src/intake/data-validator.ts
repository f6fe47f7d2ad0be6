import { Ajv2020, type ErrorObject, type KeywordDefinition, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LoadedService } from '../config/load.js';
import { AmtsboteError, type FieldError, joinPointer } from '../errors.js';

/** At most this many field errors in one answer: enough to fix a form, bounded for hostile input. */
const maxErrors = 50;

export type DataValidator = (data: unknown) => FieldError[];

/**
 * Compiles each service's JSON Schema once. `keywords` are the project's own schema keywords
 * (`x-din91379`, see xoev/din91379); without them they are kept as annotations.
 */
export function compileDataValidators(
  services: Map<string, LoadedService>,
  keywords: KeywordDefinition[] = [{ keyword: 'x-din91379', schemaType: 'string' }],
): Map<string, DataValidator> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: true });
  addFormats.default(ajv);
  for (const keyword of keywords) ajv.addKeyword(keyword);
  const validators = new Map<string, DataValidator>();
  for (const [key, service] of services) {
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(service.dataSchema);
    } catch (e) {
      throw new AmtsboteError('invalid-config', `${service.definition.dataSchema} (service ${key}): ${(e as Error).message}`);
    }
    validators.set(key, (data) => (validate(data) ? [] : toFieldErrors(validate.errors ?? [], '/data')));
  }
  return validators;
}

export function toFieldErrors(errors: ErrorObject[], prefix: string): FieldError[] {
  return errors.slice(0, maxErrors).map((error) => {
    let pointer = prefix + error.instancePath;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      pointer += joinPointer(params.missingProperty);
    } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      pointer += joinPointer(params.additionalProperty);
      return { pointer, detail: 'is not a known field' };
    }
    return { pointer, detail: error.message ?? 'is invalid' };
  });
}
