/**
 * Reads a Stammdatenschema message (`xdatenfelder.stammdatenschema.0102`) of XDatenfelder 2.0 or 3.0.0 into
 * the importer's model. The version comes from the root element's namespace; 1.0 (and anything else) is
 * refused with the reason. Deviations real published schemas show — a missing version, characters outside
 * the Latin set (DIN 91379 datatype C) in names and descriptions, a precision that is no JSON — become
 * warnings: a person reads them, the import goes on.
 */
import { XMLParser } from 'fast-xml-parser';
import { AmtsboteError } from '../lib/errors.js';
import { checkText, normalizeNfc } from '../xoev/index.js';
import type {
  Cardinality,
  CodeListReference,
  CodeValue,
  FimField,
  FimFieldKind,
  FimGroup,
  FimMember,
  FimRule,
  FimSchema,
  Precision,
  XdfVersion,
} from './model.js';
import { fimDataTypes } from './model.js';

const namespaces: Record<string, XdfVersion> = {
  'urn:xoev-de:fim:standard:xdatenfelder_2': '2.0',
  'urn:xoev-de:fim:standard:xdatenfelder_3.0.0': '3.0.0',
};
const rootElement = 'xdatenfelder.stammdatenschema.0102';
const fieldKinds: readonly FimFieldKind[] = ['input', 'select', 'label', 'hidden', 'locked'];

const refuse = (detail: string): AmtsboteError => new AmtsboteError('invalid-config', detail);

const commonOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
};
/** With prefixes kept, to read the root's namespace declarations. */
const rootParser = new XMLParser(commonOptions);
const parser = new XMLParser({
  ...commonOptions,
  removeNSPrefix: true,
  // Repeated elements must be arrays even when there is one.
  isArray: (name) => ['struktur', 'regel', 'wert', 'mediaType'].includes(name),
});

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (value !== null && typeof value === 'object' ? (value as Node) : {});
const asArray = (value: unknown): Node[] =>
  Array.isArray(value) ? value.map(asNode) : value === undefined ? [] : [asNode(value)];
const text = (value: unknown): string | undefined => {
  const raw = typeof value === 'string' ? value : asNode(value)['#text'];
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const collapsed = String(raw).replace(/\s+/g, ' ').trim();
  return collapsed === '' ? undefined : collapsed;
};
const code = (value: unknown): string | undefined => text(asNode(value).code);

/** The XDatenfelder version of a message, from its root's namespace; throws for anything not importable. */
export function detectXdfVersion(xml: string, file: string): XdfVersion {
  let doc: Node;
  try {
    doc = asNode(rootParser.parse(xml));
  } catch (e) {
    throw refuse(`${file}: not well-formed XML (${(e as Error).message.split('\n')[0] ?? ''})`);
  }
  const rootName = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (rootName === undefined) throw refuse(`${file}: the document has no root element`);
  const [prefix, local] = rootName.includes(':') ? rootName.split(':', 2) : [undefined, rootName];
  const root = asNode(doc[rootName]);
  const namespace = root[prefix === undefined ? '@xmlns' : `@xmlns:${prefix}`];
  if (typeof namespace !== 'string' || !namespace.startsWith('urn:xoev-de:fim:standard:xdatenfelder'))
    throw refuse(`${file}: not an XDatenfelder message (root ${rootName} in namespace ${String(namespace)})`);
  const version = namespaces[namespace];
  if (version === undefined) {
    const old = /xdatenfelder_1/.test(namespace);
    throw refuse(
      old
        ? `${file}: XDatenfelder 1.0 is not supported (namespace ${namespace}); export the schema as XDatenfelder 2.0 or 3.0.0 from the FIM repository`
        : `${file}: XDatenfelder namespace ${namespace} is not supported; the importer reads 2.0 and 3.0.0`,
    );
  }
  if (local !== rootElement)
    throw refuse(`${file}: ${local} is not a Stammdatenschema message; the importer reads ${rootElement}`);
  return version;
}

export function readXdatenfelder(xml: string, file: string): FimSchema {
  const xdfVersion = detectXdfVersion(xml, file);
  const doc = asNode(parser.parse(xml));
  const schema = asNode(asNode(doc[rootElement]).stammdatenschema);
  const warnings: string[] = [];
  const identification = asNode(schema.identifikation);
  const id = text(identification.id);
  if (id === undefined) throw refuse(`${file}: the Stammdatenschema has no identifikation/id`);
  const context = { file, xdfVersion, warnings };
  const base = readBase(schema, context, 'Stammdatenschema');
  return {
    xdfVersion,
    id: base.id,
    version: base.version,
    name: base.name,
    label: text(schema.bezeichnung) ?? base.label,
    description: base.description,
    rules: base.rules,
    members: asArray(schema.struktur).map((s) => readMember(s, context, id)),
    warnings,
  };
}

interface Context {
  file: string;
  xdfVersion: XdfVersion;
  warnings: string[];
}

function readBase(node: Node, context: Context, what: string) {
  const identification = asNode(node.identifikation);
  const id = text(identification.id);
  if (id === undefined) throw refuse(`${context.file}: a ${what} has no identifikation/id`);
  const version = text(identification.version);
  if (version === undefined) context.warnings.push(`${id}: no version given (identifikation/version)`);
  const name = text(node.name);
  if (name === undefined) throw refuse(`${context.file}: ${id} has no name`);
  const base = {
    id,
    version,
    name,
    label: text(node.bezeichnungEingabe),
    description: text(node.beschreibung) ?? text(node.definition),
    help: text(node.hilfetextEingabe) ?? text(node.hilfetext),
    rules: asArray(node.regel).map((r) => readRule(r, context)),
  };
  for (const [element, value] of Object.entries({ name, label: base.label, description: base.description })) {
    if (value === undefined) continue;
    const problem = checkText(normalizeNfc(value), 'C');
    if (problem) context.warnings.push(`${id}: ${element} has characters outside the Latin set (${problem.detail})`);
  }
  return base;
}

function readRule(node: Node, context: Context): FimRule {
  const identification = asNode(node.identifikation);
  const id = text(identification.id) ?? '(no id)';
  const version = text(identification.version);
  if (version === undefined) context.warnings.push(`${id}: no version given (identifikation/version)`);
  return {
    id,
    version,
    name: text(node.name) ?? id,
    definition: text(node.freitextRegel) ?? text(node.definition) ?? text(node.beschreibung) ?? '',
    script: text(node.script) ?? text(node.skript) ?? '',
  };
}

function readMember(struktur: Node, context: Context, parentId: string): FimMember {
  const contains = asNode(struktur.enthaelt);
  const cardinalityText = text(struktur.anzahl);
  const cardinality = parseCardinality(cardinalityText);
  if (cardinality === undefined)
    throw refuse(
      `${context.file}: a member of ${parentId} has the cardinality "${cardinalityText ?? ''}", not min:max`,
    );
  if (contains.datenfeldgruppe !== undefined)
    return { element: readGroup(asNode(contains.datenfeldgruppe), context), cardinality };
  if (contains.datenfeld !== undefined) return { element: readField(asNode(contains.datenfeld), context), cardinality };
  throw refuse(`${context.file}: a member of ${parentId} contains neither datenfeld nor datenfeldgruppe`);
}

export function parseCardinality(value: string | undefined): Cardinality | undefined {
  const match = /^(\d+):(\d+|\*)$/.exec(value ?? '');
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === '*' ? undefined : Number(match[2]);
  if (max !== undefined && (max < min || max === 0)) return undefined;
  return { min, max };
}

function readGroup(node: Node, context: Context): FimGroup {
  const base = readBase(node, context, 'Datenfeldgruppe');
  return {
    kind: 'group',
    ...base,
    choice: code(node.art) === 'X',
    members: asArray(node.struktur).map((s) => readMember(s, context, base.id)),
  };
}

function readField(node: Node, context: Context): FimField {
  const base = readBase(node, context, 'Datenfeld');
  const kindCode = code(node.feldart);
  const fieldKind = fieldKinds.find((k) => k === kindCode);
  if (fieldKind === undefined) throw refuse(`${context.file}: ${base.id} has the feldart "${kindCode ?? ''}"`);
  const typeCode = code(node.datentyp);
  const dataType = fimDataTypes.find((t) => t === typeCode);
  if (dataType === undefined) throw refuse(`${context.file}: ${base.id} has the datentyp "${typeCode ?? ''}"`);
  const maxSize = text(node.maxSize);
  return {
    kind: 'field',
    ...base,
    fieldKind,
    dataType,
    precision: readPrecision(node.praezisierung),
    content: text(node.inhalt),
    values: node.werte === undefined ? undefined : readValues(asNode(node.werte)),
    codeList: readCodeListReference(node.codelisteReferenz),
    maxSize: maxSize === undefined ? undefined : Number(maxSize),
    mediaTypes: (Array.isArray(node.mediaType) ? (node.mediaType as unknown[]) : [])
      .map((m) => text(m))
      .filter((m): m is string => m !== undefined),
  };
}

function readValues(werte: Node): CodeValue[] {
  return asArray(werte.wert)
    .map((w) => ({ code: text(w.code) ?? '', name: text(w.name) }))
    .filter((v) => v.code !== '');
}

function readCodeListReference(value: unknown): CodeListReference | undefined {
  if (value === undefined) return undefined;
  const node = asNode(value);
  // 2.0 nests the identification one level deeper than 3.0.0.
  const identification = node.genericodeIdentification === undefined ? node : asNode(node.genericodeIdentification);
  const canonicalUri = text(identification.canonicalIdentification);
  if (canonicalUri === undefined) return undefined;
  return {
    canonicalUri,
    version: text(identification.version),
    canonicalVersionUri: text(identification.canonicalVersionUri),
  };
}

const numberOrUndefined = (value: unknown): number | undefined => {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d+$/.test(s) ? Number(s) : undefined;
};
const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined;

/** 3.0.0: attributes; 2.0: a JSON object as text, e.g. `{"minLength":"1","maxLength":"55"}`. */
export function readPrecision(value: unknown): Precision {
  const node = asNode(value);
  const attributes = ['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'].filter((a) => `@${a}` in node);
  if (attributes.length > 0)
    return fromRecord(Object.fromEntries(attributes.map((a) => [a, node[`@${a}`]])), undefined);
  const raw = text(value);
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { unreadable: raw };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { unreadable: raw };
  return fromRecord(parsed as Record<string, unknown>, raw);
}

function fromRecord(record: Record<string, unknown>, raw: string | undefined): Precision {
  const precision: Precision = {};
  const minLength = numberOrUndefined(record.minLength);
  const maxLength = numberOrUndefined(record.maxLength);
  if (minLength !== undefined) precision.minLength = minLength;
  if (maxLength !== undefined) precision.maxLength = maxLength;
  const minValue = stringOrUndefined(record.minValue);
  const maxValue = stringOrUndefined(record.maxValue);
  if (minValue !== undefined) precision.minValue = minValue;
  if (maxValue !== undefined) precision.maxValue = maxValue;
  const pattern = stringOrUndefined(record.pattern);
  if (pattern !== undefined) precision.pattern = pattern;
  const known = ['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'];
  if (Object.keys(record).some((k) => !known.includes(k))) precision.unreadable = raw ?? JSON.stringify(record);
  return precision;
}
