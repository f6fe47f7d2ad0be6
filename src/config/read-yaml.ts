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
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(file, [], `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const doc = parseDocument(raw, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) throw configError(file, [], `is not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) throw zodConfigError(file, parsed.error);
  return { value: parsed.data, raw };
}
