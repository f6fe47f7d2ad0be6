/**
 * What changed between two imported versions of a schema: every property by its path, with its FIM id and
 * version and what constrains it. Fields added, removed, and changed (FIM version, type, required, codes,
 * lengths, range, pattern, cardinality) — what an operator needs to know before portals move over.
 */
import type { JsonSchema } from './to-json-schema.js';

export interface SchemaDiff {
  added: string[];
  removed: string[];
  changed: { pointer: string; what: string[] }[];
}

const compared = [
  'x-fim-id',
  'x-fim-version',
  'type',
  'format',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'minItems',
  'maxItems',
  'x-din91379',
] as const;

interface Entry {
  required: boolean;
  facts: Record<string, string>;
}

const asSchema = (value: unknown): JsonSchema =>
  value !== null && typeof value === 'object' ? (value as JsonSchema) : {};

function flatten(schema: JsonSchema, pointer: string, required: boolean, into: Map<string, Entry>): void {
  const facts: Record<string, string> = {};
  for (const key of compared) if (schema[key] !== undefined) facts[key] = JSON.stringify(schema[key]);
  into.set(pointer, { required, facts });
  if (schema.type === 'array') {
    flatten(asSchema(schema.items), `${pointer}/*`, true, into);
    return;
  }
  const properties = asSchema(schema.properties);
  const requiredNames = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  for (const [name, child] of Object.entries(properties))
    flatten(asSchema(child), `${pointer}/${name}`, requiredNames.includes(name), into);
}

export function diffSchemas(before: JsonSchema, after: JsonSchema): SchemaDiff {
  const a = new Map<string, Entry>();
  const b = new Map<string, Entry>();
  flatten(before, '/data', true, a);
  flatten(after, '/data', true, b);
  const diff: SchemaDiff = { added: [], removed: [], changed: [] };
  for (const pointer of b.keys()) if (!a.has(pointer)) diff.added.push(pointer);
  for (const [pointer, old] of a) {
    const now = b.get(pointer);
    if (now === undefined) {
      diff.removed.push(pointer);
      continue;
    }
    const what: string[] = [];
    if (old.required !== now.required) what.push(now.required ? 'now required' : 'no longer required');
    for (const key of compared)
      if (old.facts[key] !== now.facts[key])
        what.push(`${key} ${old.facts[key] ?? '(none)'} → ${now.facts[key] ?? '(none)'}`);
    if (what.length > 0) diff.changed.push({ pointer, what });
  }
  return diff;
}

export function renderDiff(diff: SchemaDiff): string[] {
  return [
    ...diff.added.map((p) => `+ ${p}`),
    ...diff.removed.map((p) => `- ${p}`),
    ...diff.changed.map((c) => `~ ${c.pointer}: ${c.what.join('; ')}`),
  ];
}
