/**
 * A Stammdatenschema → the JSON Schema (draft 2020-12) of a submission's `data`. Groups become objects,
 * fields properties (names: property-names.ts), cardinalities `required` and arrays with minItems/maxItems,
 * choice groups `oneOf` (exactly one member given), selections `enum` with their titles in
 * `x-fim-code-titles`. Every element keeps its FIM id and version (`x-fim-id`, `x-fim-version`). Whatever
 * JSON Schema cannot say goes into the report.
 */
import type { CodeListFolder } from './code-lists.js';
import { resolveCodeList } from './code-lists.js';
import { din91379Class } from './din91379-class.js';
import type { ImportReport } from './import-report.js';
import { count, emptyReport } from './import-report.js';
import type { FimField, FimGroup, FimMember, FimRule, FimSchema } from './model.js';
import { siblingNames } from './property-names.js';

export type JsonSchema = Record<string, unknown>;

/** Where an attachment is referenced in the data: the envelope's `attachments[].id`, as hand-made services do. */
export const attachmentIdPattern = '^[A-Za-z0-9._-]{1,64}$';

/** The schema's `$id`: names the FIM schema and version, so a delivered message names what it follows. */
export function fimSchemaUri(schema: Pick<FimSchema, 'id' | 'version'>): string {
  return `https://amtsbote.dev/schemas/fim/${schema.id}/${schema.version ?? 'unversioned'}.json`;
}

export interface Conversion {
  schema: JsonSchema;
  report: ImportReport;
  /** File fields, for the service's attachment rules. */
  fileFields: { field: FimField; maxCount: number | undefined }[];
}

export function toJsonSchema(fim: FimSchema, codeLists: CodeListFolder): Conversion {
  const report = emptyReport({ id: fim.id, version: fim.version, xdatenfelder: fim.xdfVersion, name: fim.name });
  report.warnings.push(...fim.warnings);
  const fileFields: Conversion['fileFields'] = [];
  const converter = new Converter(report, codeLists, fileFields);
  reportRules(report, fim.id, '/data', fim.rules);
  const body = converter.object(fim.members, '/data', false);
  return {
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: fimSchemaUri(fim),
      title: fim.label ?? fim.name,
      ...(fim.description ? { description: fim.description } : {}),
      'x-fim-id': fim.id,
      ...(fim.version ? { 'x-fim-version': fim.version } : {}),
      ...body,
    },
    report,
    fileFields,
  };
}

function reportRules(report: ImportReport, fimId: string, pointer: string, rules: FimRule[]): void {
  for (const rule of rules)
    report.notExpressible.push({
      fimId: rule.id,
      pointer,
      what: `rule "${rule.name}" (of ${fimId}): ${rule.definition || '(no definition)'}`,
    });
}

const annotations = (element: FimField | FimGroup): JsonSchema => ({
  title: element.label ?? element.name,
  ...(element.description ? { description: element.description } : {}),
  'x-fim-id': element.id,
  ...(element.version ? { 'x-fim-version': element.version } : {}),
});

class Converter {
  constructor(
    private readonly report: ImportReport,
    private readonly codeLists: CodeListFolder,
    private readonly fileFields: Conversion['fileFields'],
  ) {}

  object(members: FimMember[], pointer: string, choice: boolean): JsonSchema {
    const kept = members.filter((m) => !(m.element.kind === 'field' && m.element.fieldKind === 'label'));
    for (const m of members)
      if (m.element.kind === 'field' && m.element.fieldKind === 'label') count(this.report, 'field → dropped (label)');
    const names = siblingNames(kept.map((m) => ({ name: m.element.name, id: m.element.id })));
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    kept.forEach((member, i) => {
      const name = names[i] ?? member.element.id;
      properties[name] = this.member(member, `${pointer}/${name}`);
      if (!choice && member.cardinality.min >= 1) required.push(name);
    });
    return {
      type: 'object',
      additionalProperties: false,
      ...(required.length > 0 ? { required } : {}),
      properties,
      // A choice group: exactly one of its members is given.
      ...(choice ? { oneOf: names.map((n) => ({ required: [n] })) } : {}),
    };
  }

  private member(member: FimMember, pointer: string): JsonSchema {
    const { element, cardinality } = member;
    const repeated = cardinality.max === undefined || cardinality.max > 1;
    const itemPointer = repeated ? `${pointer}/0` : pointer;
    const single = element.kind === 'group' ? this.group(element, itemPointer) : this.field(element, itemPointer);
    if (element.kind === 'field' && (element.dataType === 'file' || element.dataType === 'obj'))
      this.fileFields.push({ field: element, maxCount: cardinality.max });
    if (!repeated) return single;
    count(this.report, `cardinality → array (${cardinality.min}:${cardinality.max ?? '*'})`);
    return {
      title: single.title,
      type: 'array',
      items: single,
      ...(cardinality.min > 0 ? { minItems: cardinality.min } : {}),
      ...(cardinality.max !== undefined ? { maxItems: cardinality.max } : {}),
    };
  }

  private group(group: FimGroup, pointer: string): JsonSchema {
    count(this.report, group.choice ? 'group → object (oneOf, choice group)' : 'group → object');
    reportRules(this.report, group.id, pointer, group.rules);
    return { ...annotations(group), ...this.object(group.members, pointer, group.choice) };
  }

  private field(field: FimField, pointer: string): JsonSchema {
    reportRules(this.report, field.id, pointer, field.rules);
    if (field.fieldKind === 'hidden' || field.fieldKind === 'locked')
      this.notExpressible(
        field,
        pointer,
        `${field.fieldKind} field: kept as a property, but a form fills it, not the applicant`,
      );
    if (field.precision.unreadable !== undefined)
      this.notExpressible(
        field,
        pointer,
        `precision "${field.precision.unreadable}" is not min/max length, range or pattern`,
      );
    const selection = field.fieldKind === 'select' || field.values !== undefined || field.codeList !== undefined;
    const body = selection ? this.selection(field, pointer) : this.typed(field, pointer);
    return { ...annotations(field), ...body };
  }

  private notExpressible(field: FimField, pointer: string, what: string): void {
    this.report.notExpressible.push({ fimId: field.id, pointer, what });
  }

  private selection(field: FimField, pointer: string): JsonSchema {
    const { unreadable, ...precision } = field.precision;
    if (unreadable === undefined && Object.keys(precision).length > 0)
      this.notExpressible(field, pointer, `precision ${JSON.stringify(precision)} on a selection: the codes decide`);
    let values = field.values;
    let source = 'inline values';
    if (values === undefined && field.codeList !== undefined) {
      const list = resolveCodeList(this.codeLists, field.codeList);
      const name = `${field.codeList.canonicalUri} version ${field.codeList.version ?? '(none given)'}`;
      if (list === undefined) {
        this.report.missingCodeLists.push({ fimId: field.id, pointer, list: name });
        count(this.report, 'field → string (code list missing)');
        return { type: 'string', minLength: 1, 'x-fim-codelist': name };
      }
      values = [...list.codes].map(([code, title]) => ({ code, name: title }));
      source = name;
    }
    if (values === undefined || values.length === 0) {
      this.notExpressible(field, pointer, 'a select field with neither values nor a code list');
      count(this.report, 'field → string (selection without values)');
      return { type: 'string', minLength: 1 };
    }
    count(this.report, field.codeList ? 'field → enum (code list)' : 'field → enum (inline values)');
    const titles = Object.fromEntries(values.map((v) => [v.code, v.name ?? v.code]));
    return {
      type: 'string',
      enum: values.map((v) => v.code),
      'x-fim-code-titles': titles,
      ...(field.codeList ? { 'x-fim-codelist': source } : {}),
    };
  }

  private typed(field: FimField, pointer: string): JsonSchema {
    const { precision } = field;
    switch (field.dataType) {
      case 'text':
      case 'text_latin': {
        count(this.report, `field → string (${field.dataType})`);
        const din = din91379Class(field);
        this.report.din91379.push({ pointer, datatype: din.datatype, why: din.why });
        const schema: JsonSchema = { type: 'string' };
        if (precision.minLength !== undefined) schema.minLength = precision.minLength;
        if (precision.maxLength !== undefined) schema.maxLength = precision.maxLength;
        const pattern = this.pattern(field, pointer);
        if (pattern !== undefined) schema.pattern = pattern;
        if (precision.minValue !== undefined || precision.maxValue !== undefined)
          this.notExpressible(field, pointer, 'a value range on a text field');
        if (field.content !== undefined) schema.default = field.content;
        schema['x-din91379'] = din.datatype;
        return schema;
      }
      case 'date':
      case 'datetime':
      case 'time': {
        count(this.report, `field → string (${field.dataType})`);
        if (precision.minValue !== undefined || precision.maxValue !== undefined)
          this.notExpressible(
            field,
            pointer,
            `the range ${precision.minValue ?? '…'} to ${precision.maxValue ?? '…'} of a ${field.dataType} (an assertion can check it)`,
          );
        // FIM's time is hours and minutes; JSON Schema's `time` format would demand seconds and a zone.
        if (field.dataType === 'time') return { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' };
        return { type: 'string', format: field.dataType === 'date' ? 'date' : 'date-time' };
      }
      case 'bool':
        count(this.report, 'field → boolean');
        return { type: 'boolean' };
      case 'num':
      case 'num_int':
      case 'num_currency': {
        count(this.report, `field → ${field.dataType === 'num_int' ? 'integer' : 'number'} (${field.dataType})`);
        const schema: JsonSchema = { type: field.dataType === 'num_int' ? 'integer' : 'number' };
        for (const [bound, keyword] of [
          [precision.minValue, 'minimum'],
          [precision.maxValue, 'maximum'],
        ] as const) {
          if (bound === undefined) continue;
          const value = Number(bound);
          if (Number.isFinite(value)) schema[keyword] = value;
          else this.notExpressible(field, pointer, `the bound "${bound}" is not a number`);
        }
        if (field.dataType === 'num_currency')
          this.notExpressible(
            field,
            pointer,
            'a currency amount: at most two decimal places (not checked by the schema)',
          );
        return schema;
      }
      case 'file':
      case 'obj':
        count(this.report, `field → attachment reference (${field.dataType})`);
        if (field.dataType === 'obj')
          this.notExpressible(field, pointer, 'an object (blob) field: taken as an attachment reference');
        return {
          type: 'object',
          additionalProperties: false,
          required: ['attachmentId'],
          properties: {
            attachmentId: {
              type: 'string',
              pattern: attachmentIdPattern,
              title: 'id der Anlage im Umschlag (attachments[].id)',
            },
          },
        };
    }
  }

  /** FIM patterns are whole-value patterns (as in XSD); JSON Schema's match anywhere, so they are anchored. */
  private pattern(field: FimField, pointer: string): string | undefined {
    const pattern = field.precision.pattern;
    if (pattern === undefined) return undefined;
    // Real schemas put notes where a pattern belongs ("Mehrfachauswahl"): without any regex syntax it is one.
    if (!/[\\^$.|?*+()[\]{}]/.test(pattern)) {
      this.notExpressible(field, pointer, `the pattern "${pattern}" reads as a note, not a regular expression`);
      return undefined;
    }
    try {
      new RegExp(pattern, 'u');
    } catch {
      this.notExpressible(field, pointer, `the pattern "${pattern}" is no regular expression`);
      return undefined;
    }
    return `^(?:${pattern})$`;
  }
}
