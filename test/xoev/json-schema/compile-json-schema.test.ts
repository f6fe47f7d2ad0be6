import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { addSchemaAnnotations } from '../../../src/config/schema-annotations.js';
import { compileJsonSchema, din91379Keyword } from '../../../src/xoev/index.js';
import { examplesDir, projectRoot } from '../../helpers/paths.js';

/**
 * One ajv instance for the project's JSON Schemas, each distinct schema compiled once (issue 26): the same schema
 * is shared, and a schema is still judged by its own rules when another one under the same $id came first.
 */
const schema = (id: string, extra: Record<string, unknown> = {}) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: id,
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', 'x-din91379': 'A' } },
  ...extra,
});

describe('compileJsonSchema', () => {
  it('compiles a schema once: the same text, even as another object, gives the same function', () => {
    const id = 'https://amtsbote.test/schemas/once.json';
    const first = compileJsonSchema(schema(id));
    expect(compileJsonSchema(schema(id))).toBe(first);
    expect(first({ name: 'Anna' })).toBe(true);
    expect(first({})).toBe(false);
  });

  it('keeps the DIN 91379 keyword and the options of the per-use instances it replaces', () => {
    const validate = compileJsonSchema(schema('https://amtsbote.test/schemas/din.json'));
    expect(validate({ name: 'Anna\u0001' })).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('x-din91379');
    // allErrors: both problems, not only the first
    const both = compileJsonSchema(schema('https://amtsbote.test/schemas/all.json', { additionalProperties: false }));
    expect(both({ extra: 1 })).toBe(false);
    expect(both.errors?.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'required']);
  });

  it('judges a changed schema under an $id already compiled by its own rules, and the earlier one by its own', () => {
    const id = 'https://amtsbote.test/schemas/changed.json';
    const before = compileJsonSchema(schema(id));
    const after = compileJsonSchema(schema(id, { required: ['name', 'city'] }));
    expect(after).not.toBe(before);
    expect(before({ name: 'Anna' })).toBe(true);
    expect(after({ name: 'Anna' })).toBe(false);
    expect(after({ name: 'Anna', city: 'Leipzig' })).toBe(true);
    // …in the shared instance (cached), not in one of its own
    expect(compileJsonSchema(schema(id, { required: ['name', 'city'] }))).toBe(after);
  });

  it('throws for a schema that does not compile, then compiles the corrected one under the same $id', () => {
    const id = 'https://amtsbote.test/schemas/broken.json';
    // strict mode: an unknown keyword is an error, as before
    expect(() => compileJsonSchema(schema(id, { unknownKeyword: true }))).toThrow(/unknown keyword/);
    expect(() => compileJsonSchema(schema(id, { unknownKeyword: true }))).toThrow(/unknown keyword/);
    const corrected = compileJsonSchema(schema(id));
    expect(corrected({ name: 'Anna' })).toBe(true);
    // the failure left nothing behind in the shared instance: the corrected schema is compiled there and cached
    expect(compileJsonSchema(schema(id))).toBe(corrected);
  });

  it('compiles apart for another keyword set: without the DIN keyword, x-din91379 is an annotation', () => {
    const annotationOnly = [{ keyword: 'x-din91379', schemaType: 'string' as const }];
    const id = 'https://amtsbote.test/schemas/annotation.json';
    const plain = compileJsonSchema(schema(id), annotationOnly);
    expect(plain({ name: 'Anna\u0001' })).toBe(true);
    expect(compileJsonSchema(schema(id))({ name: 'Anna\u0001' })).toBe(false);
  });

  it('validates every example of the demo services as ajv with its optimising pass does (it is switched off)', () => {
    // The shared instance compiles without ajv's code optimisation (start time, issue 26): the same schemas in an
    // instance with it must give the same verdict and the same errors on every example.
    const reference = addSchemaAnnotations(
      new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: true }),
    );
    addFormats.default(reference);
    reference.addKeyword(din91379Keyword);
    let compared = 0;
    for (const service of readdirSync(examplesDir)) {
      const schemaFile = join(projectRoot, 'config/services', `${service}.schema.json`);
      if (!existsSync(schemaFile)) continue;
      const dataSchema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
      const ours = compileJsonSchema(dataSchema);
      const theirs = reference.compile(dataSchema);
      const examples = readdirSync(join(examplesDir, service)).filter(
        (f) => f.endsWith('.json') && f !== 'expectations.json',
      );
      for (const example of examples) {
        const submission = JSON.parse(readFileSync(join(examplesDir, service, example), 'utf8')) as {
          data?: unknown;
        };
        const data = submission.data ?? submission;
        expect({ example, valid: ours(data), errors: ours.errors }).toEqual({
          example,
          valid: theirs(data),
          errors: theirs.errors,
        });
        compared++;
      }
    }
    // The demo has 70 examples or so, some of them invalid: an empty comparison must not pass.
    expect(compared).toBeGreaterThan(50);
  });
});
