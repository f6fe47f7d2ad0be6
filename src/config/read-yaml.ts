import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configError, zodConfigError } from './config-error.js';

export interface ReadFile<T> {
  value: T;
  /** The bytes read, so the config hash covers exactly what was loaded. */
  raw: string;
}

/** Reads a YAML (or JSON) file and validates it with a zod schema; every failure names the file. */
export function readConfigFile<S extends z.ZodType>(file: string, schema: S): ReadFile<z.infer<S>> {
  const { value, raw } = readYamlFile(file);
  return { value: checkConfigValue(file, value, schema), raw };
}

/**
 * Reads a YAML (or JSON) file without checking its shape: for a file whose schema depends on one of its fields,
 * which is then checked with checkConfigValue (parsing YAML is the costly part; once is enough).
 */
export function readYamlFile(file: string): ReadFile<unknown> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(file, [], `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const doc = parseDocument(raw, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) throw configError(file, [], `is not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, raw };
}

/** Validates a value read from `file` with a zod schema; a failure names the file and the setting. */
export function checkConfigValue<S extends z.ZodType>(file: string, value: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodConfigError(file, parsed.error);
  return parsed.data;
}
