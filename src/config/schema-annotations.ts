/**
 * Keywords a service's JSON Schema may carry that only annotate (ajv's strict mode refuses unknown keywords):
 * the FIM provenance written by `amtsbote services import-fim` — the FIM id and version of each element, the
 * code list a selection comes from and its codes' titles. They never change what validates.
 */
import type { KeywordDefinition } from 'ajv';

export const schemaAnnotationKeywords: KeywordDefinition[] = [
  { keyword: 'x-fim-id', schemaType: 'string' },
  { keyword: 'x-fim-version', schemaType: 'string' },
  { keyword: 'x-fim-codelist', schemaType: 'string' },
  { keyword: 'x-fim-code-titles', schemaType: 'object' },
];

interface KeywordHost {
  getKeyword(keyword: string): unknown;
  addKeyword(definition: KeywordDefinition): unknown;
}

/** Registers the annotation keywords on an ajv instance (idempotent). */
export function addSchemaAnnotations<A extends KeywordHost>(ajv: A): A {
  for (const definition of schemaAnnotationKeywords)
    if (ajv.getKeyword(definition.keyword as string) === false) ajv.addKeyword(definition);
  return ajv;
}
