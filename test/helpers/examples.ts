import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { examplesDir } from './paths.js';

export interface Example {
  service: string;
  file: string;
  envelope: Record<string, unknown> & { serviceKey: string; regionKey: string; data: Record<string, unknown> };
  invalid: boolean;
  /** For an invalid example: the JSON pointer its defect must be reported at. */
  expectedPointer?: string;
}

export const multipartExampleDir = 'multipart';

/** Every example submission under examples/<service>/, with the expectations of the invalid ones. */
export function loadExamples(): Example[] {
  const examples: Example[] = [];
  // examples/multipart/ holds the README's multipart request (an envelope without content and its file part),
  // not a JSON submission: the newcomer's path test sends it as printed.
  for (const service of readdirSync(examplesDir)
    .filter((name) => name !== multipartExampleDir)
    .sort()) {
    const dir = join(examplesDir, service);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'expectations.json')
      .sort();
    let expectations: Record<string, string> = {};
    try {
      expectations = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as Record<string, string>;
    } catch {
      expectations = {};
    }
    for (const file of files) {
      const envelope = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Example['envelope'];
      const invalid = file.includes('invalid');
      examples.push({ service, file, envelope, invalid, expectedPointer: invalid ? expectations[file] : undefined });
    }
  }
  return examples;
}

/** The demo cities appear in configuration (authority names), so they prove nothing about data at rest. */
const demoCities = new Set(['Dresden', 'Leipzig', 'Chemnitz']);

/**
 * Strings of the data that identify a person (names, birth dates and places, streets, contacts): never at rest in
 * plain.
 */
export function personalStrings(data: unknown, minLength = 5): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (value.length >= minLength && !demoCities.has(value) && /name|street|birth|email|phone|description/i.test(key))
        found.add(value);
    } else if (Array.isArray(value)) {
      value.forEach((v) => {
        walk(v, key);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(data, '');
  return [...found];
}
