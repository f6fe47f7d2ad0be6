import { Ajv2020, type KeywordDefinition, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { addSchemaAnnotations } from '../../config/schema-annotations.js';
import { din91379Keyword } from '../din91379/ajv-keyword.js';

/**
 * The project's JSON Schemas (draft 2020-12, strict, every error, formats checked, the FIM annotations and the
 * DIN 91379 keyword) compiled through one ajv instance per keyword set, each distinct schema once. The services'
 * data schemas are also the output schemas of the JSON mappings and the local schemas of inbound mappings, and a
 * fresh ajv instance costs about as much as a compile: `config check` and the start compiled the same schema up to
 * three times, each in an instance of its own (issue 26). A compiled function depends on the schema's text and the
 * options alone, so the cache is keyed by the text; an error is thrown as before and never cached.
 */
export function compileJsonSchema(
  schema: object,
  keywords: readonly KeywordDefinition[] = [din91379Keyword],
): ValidateFunction {
  const compiler = compilerFor(keywords);
  const text = JSON.stringify(schema);
  const cached = compiler.compiled.get(text);
  if (cached) return cached;
  const id = (schema as { $id?: unknown }).$id;
  // Another schema under the same $id (a changed file after a reload, a copy that differs, or one whose compile
  // failed, which ajv keeps registered): the new one takes the $id; functions compiled before keep their own rules.
  if (typeof id === 'string' && (id in compiler.ajv.schemas || id in compiler.ajv.refs)) compiler.ajv.removeSchema(id);
  let validate: ValidateFunction;
  try {
    validate = compiler.ajv.compile(schema);
  } catch (error) {
    // An inner $id or anchor another schema of the instance holds: in an instance of its own, as before the cache.
    if (!/already exists|resolves to more than one schema/.test((error as Error).message)) throw error;
    return newAjv(keywords).compile(schema);
  }
  compiler.compiled.set(text, validate);
  return validate;
}

/** Bounds what reloads with changed schemas can pile up: past it, the instance and its schemas are dropped. */
const maxSchemasPerInstance = 200;
const maxInstances = 4;

interface Compiler {
  keywords: readonly KeywordDefinition[];
  ajv: Ajv2020;
  compiled: Map<string, ValidateFunction>;
}

const compilers: Compiler[] = [];

function compilerFor(keywords: readonly KeywordDefinition[]): Compiler {
  const index = compilers.findIndex(
    (c) => c.keywords.length === keywords.length && c.keywords.every((k, i) => k === keywords[i]),
  );
  const found = index >= 0 ? compilers[index] : undefined;
  if (found && found.compiled.size < maxSchemasPerInstance) return found;
  if (found) compilers.splice(index, 1);
  // Callers that pass keyword sets of their own each time (tests) must not pile up instances either.
  if (compilers.length >= maxInstances) compilers.shift();
  const ajv = newAjv(keywords);
  const compiler = { keywords: [...keywords], ajv, compiled: new Map<string, ValidateFunction>() };
  compilers.push(compiler);
  return compiler;
}

/**
 * `code.optimize: false`: ajv's optimising pass over the generated code took a third of compiling the demo's 11
 * service schemas (about 150 of 500 ms CPU, at every start, reload and intake thread start — issue 26); without it
 * the functions validate the same (same errors, checked on every example) and about 14 % slower, some 15 µs of a
 * submission whose signature costs 6 ms.
 */
function newAjv(keywords: readonly KeywordDefinition[]): Ajv2020 {
  const ajv = addSchemaAnnotations(
    new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      validateFormats: true,
      code: { optimize: false },
    }),
  );
  addFormats.default(ajv);
  for (const keyword of keywords) ajv.addKeyword(keyword);
  return ajv;
}
