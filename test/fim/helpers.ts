import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { addSchemaAnnotations } from '../../src/config/schema-annotations.js';
import { addDin91379Keyword } from '../../src/xoev/index.js';
import { hasReference, projectRoot, referenceDir } from '../helpers/paths.js';

export const fixturesDir = join(projectRoot, 'test/fim/fixtures');
export const fixture = (name: string): string => join(fixturesDir, name);
export const readFixture = (name: string): string => readFileSync(fixture(name), 'utf8');

/** The FIM reference material (XDatenfelder XSDs, two real Stammdatenschemata); tests skip where it is absent. */
export const fimReferenceDir = join(referenceDir, 'fim');
export const hasFimReference = hasReference;
export const needsFimReference = (title: string): string =>
  hasFimReference ? title : `${title} (skipped: ${fimReferenceDir} is absent)`;

/** An ajv configured as the gateway's data validator is (strict, formats, DIN 91379, FIM annotations). */
export function gatewayAjv(): Ajv2020 {
  const ajv = addSchemaAnnotations(
    addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: true })),
  );
  addFormats.default(ajv);
  return ajv;
}
