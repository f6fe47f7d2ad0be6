import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
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
 *
 * Read with js-yaml's YAML 1.2 core schema (no timestamps, no `yes`/`no` booleans, no merge keys; a duplicate key
 * is an error), which reads every shipped file as the `yaml` library does (test/config/read-yaml.test.ts) in about a
 * quarter of the time cold: parsing the demo's 158 KB of YAML was a fifth of `config check` and of the start
 * (issue 26). `yaml` stays for writing YAML with comments (`services import-fim`).
 */
export function readYamlFile(file: string): ReadFile<unknown> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(file, [], `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = load(raw, { schema: CORE_SCHEMA });
  } catch (e) {
    throw configError(file, [], `is not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  if (expandsBeyond(value, maxExpandedValues))
    throw configError(file, [], `is not valid YAML: its aliases expand it to more than ${maxExpandedValues} values`);
  return { value, raw };
}

/**
 * js-yaml hands an alias back as the anchored value itself, so a file of nested aliases ("billion laughs") is small
 * in memory but explodes wherever the value is walked as a tree (validation, JSON for the store). The `yaml`
 * library bounded that with `maxAliasCount`; here the tree the value would expand to is counted, each shared value
 * once (so the count stays linear in the file), and refused beyond a bound far above any real configuration (the
 * demo's 64 KB routing is some 5 000 values).
 */
const maxExpandedValues = 1_000_000;

function expandsBeyond(root: unknown, limit: number): boolean {
  const sizes = new Map<object, number>();
  const size = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    let total = 1;
    for (const child of Object.values(value)) {
      total += size(child);
      if (total > limit) break;
    }
    sizes.set(value, total);
    return total;
  };
  return size(root) > limit;
}

/** Validates a value read from `file` with a zod schema; a failure names the file and the setting. */
export function checkConfigValue<S extends z.ZodType>(file: string, value: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodConfigError(file, parsed.error);
  return parsed.data;
}
