/**
 * The `x-din91379` keyword for ajv: service JSON Schemas annotate strings with `"x-din91379": "A" | "B" | "C"`
 * and ajv reports every string outside its datatype with its instancePath, like any other schema error.
 * Data must be NFC-normalised (normalizeNfc) before validation, because the datatypes accept NFC only.
 */
import type { FuncKeywordDefinition, KeywordDefinition, SchemaValidateFunction } from 'ajv';
import { checkText } from './check-text.js';
import { isDatatype } from './datatypes.js';

export const din91379KeywordName = 'x-din91379';

const validate: SchemaValidateFunction = (schema: unknown, data: unknown): boolean => {
  if (typeof data !== 'string' || !isDatatype(schema)) return true;
  const problem = checkText(data, schema);
  if (problem === null) return true;
  validate.errors = [{ keyword: din91379KeywordName, message: problem.detail, params: { datatype: schema } }];
  return false;
};

export const din91379Keyword: FuncKeywordDefinition = {
  keyword: din91379KeywordName,
  type: 'string',
  schemaType: 'string',
  metaSchema: { enum: ['A', 'B', 'C'] },
  errors: true,
  validate,
};

/** The part of an ajv instance this needs; any ajv class (draft-07, 2019, 2020) fits. */
interface KeywordHost {
  getKeyword(keyword: string): unknown;
  addKeyword(definition: KeywordDefinition): unknown;
}

/** Registers the keyword on an ajv instance (idempotent). */
export function addDin91379Keyword<A extends KeywordHost>(ajv: A): A {
  if (ajv.getKeyword(din91379KeywordName) === false) ajv.addKeyword(din91379Keyword);
  return ajv;
}
