import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { referenceDir } from './paths.js';

/**
 * FIT-Connect's published metadata schema 2.1.0 (reference data, read from ../shared, never copied in), checked
 * by two independent validators: ajv (draft 2020-12, with ajv-formats) and python-jsonschema (Draft202012Validator
 * with its FormatChecker). What one of them lets through, the other may not.
 */
export const metadataSchemaFile = join(referenceDir, 'fit-connect/metadata-2.1.0.schema.json');

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateAjv = ajv.compile(JSON.parse(readFileSync(metadataSchemaFile, 'utf8')) as Record<string, unknown>);

/** ajv's verdict: undefined when valid, else its errors as text. */
export function ajvErrors(metadata: unknown): string | undefined {
  return validateAjv(metadata) ? undefined : JSON.stringify(validateAjv.errors);
}

const pythonCheck = `
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
for line in sys.stdin:
    errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.absolute_path))
    print(json.dumps(["/" + "/".join(map(str, e.absolute_path)) + " " + e.message for e in errors]))
`;

/** Whether python3 with jsonschema is there (Debian: python3-jsonschema). */
export const hasPythonJsonschema =
  spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8', timeout: 30_000 }).status === 0;

/** python-jsonschema's errors for each document (one python start for all of them); [] means valid. */
export function pythonErrors(documents: readonly unknown[]): string[][] {
  const result = spawnSync('python3', ['-c', pythonCheck, metadataSchemaFile], {
    input: documents.map((d) => JSON.stringify(d)).join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`python-jsonschema failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[]);
}
