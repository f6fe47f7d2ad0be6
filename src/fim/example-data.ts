/**
 * One example submission from a generated schema: every required member, the first member of each choice,
 * the first code of each selection, values inside each length and range. A pattern the generator cannot meet
 * from its few candidates is listed (`unfilled`) for a person, not bent: the example must pass the gateway.
 */
import type { JsonSchema } from './to-json-schema.js';

export interface ExampleData {
  data: Record<string, unknown>;
  /** Attachment ids referenced from file fields; the envelope carries one small PDF for each. */
  attachmentIds: string[];
  /** Pointers whose pattern no candidate met. */
  unfilled: string[];
}

const candidates = ['Beispiel', 'Mustermann', 'A', 'AB', '1', '12', '01', '12345', 'A1', 'DD-AB 123', 'x'];

export function exampleData(schema: JsonSchema): ExampleData {
  const out: ExampleData = { data: {}, attachmentIds: [], unfilled: [] };
  out.data = objectValue(schema, '/data', out);
  return out;
}

const asSchema = (value: unknown): JsonSchema =>
  value !== null && typeof value === 'object' ? (value as JsonSchema) : {};

function objectValue(schema: JsonSchema, pointer: string, out: ExampleData): Record<string, unknown> {
  const properties = asSchema(schema.properties);
  const names = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const value: Record<string, unknown> = {};
  for (const name of Object.keys(properties))
    if (names.has(name)) value[name] = valueFor(asSchema(properties[name]), `${pointer}/${name}`, out);
  if (Array.isArray(schema.oneOf)) {
    // A choice: the first member the generator can fill completely, else the first.
    const members = schema.oneOf.flatMap((branch) => (asSchema(branch).required as string[] | undefined) ?? []);
    const tries = members.map((name) => {
      const scratch: ExampleData = { data: {}, attachmentIds: [...out.attachmentIds], unfilled: [] };
      return { name, value: valueFor(asSchema(properties[name]), `${pointer}/${name}`, scratch), scratch };
    });
    const chosen = tries.find((t) => t.scratch.unfilled.length === 0) ?? tries[0];
    if (chosen) {
      value[chosen.name] = chosen.value;
      out.attachmentIds = chosen.scratch.attachmentIds;
      out.unfilled.push(...chosen.scratch.unfilled);
    }
  }
  return value;
}

function valueFor(schema: JsonSchema, pointer: string, out: ExampleData): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'array': {
      const n = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      return Array.from({ length: n }, (_, i) => valueFor(asSchema(schema.items), `${pointer}/${i}`, out));
    }
    case 'object': {
      if ('attachmentId' in asSchema(schema.properties)) {
        const id = `anlage-${out.attachmentIds.length + 1}`;
        out.attachmentIds.push(id);
        return { attachmentId: id };
      }
      return objectValue(schema, pointer, out);
    }
    case 'boolean':
      return true;
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Number.POSITIVE_INFINITY;
      const value = Math.min(Math.max(min, 1), max);
      return schema.type === 'integer' ? Math.ceil(value) : value;
    }
    default:
      return stringValue(schema, pointer, out);
  }
}

function stringValue(schema: JsonSchema, pointer: string, out: ExampleData): string {
  if (schema.format === 'date') return '2026-01-15';
  if (schema.format === 'date-time') return '2026-01-15T10:30:00Z';
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 1000;
  const fit = (s: string): string => (s.length > max ? s.slice(0, max) : s.padEnd(min, 'x'));
  const first = schema['x-din91379'] === 'A' ? 'Mustermann' : 'Beispiel';
  if (typeof schema.pattern !== 'string') return fit(first);
  const pattern = new RegExp(schema.pattern, 'u');
  const timeLike = '10:30';
  for (const candidate of [timeLike, first, ...candidates].map(fit))
    if (pattern.test(candidate) && candidate.length >= min && candidate.length <= max) return candidate;
  out.unfilled.push(pointer);
  return fit(first);
}
