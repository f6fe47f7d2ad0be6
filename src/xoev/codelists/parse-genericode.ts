/**
 * Reads an OASIS genericode 1.0 file (the format XRepository publishes XÖV code lists in) into a CodeList.
 * The key column is the one the list's `Key` names (XÖV marks it `recommendedKeyColumn`); the name column is
 * the first other column whose id looks like a label, else the second column.
 */
import { XMLParser } from 'fast-xml-parser';
import { AmtsboteError } from '../../lib/errors.js';
import type { CodeList } from './code-list.js';

const invalid = (detail: string): AmtsboteError => new AmtsboteError('invalid-config', detail);

/**
 * Amtsbote's own excerpts carry `<amtsbote:unofficial xmlns:amtsbote="https://amtsbote.dev/ns/codelist">why</…>`
 * in `Annotation/Description`, so an official file of the same list and version can replace them.
 */
const unofficialElement = 'unofficial';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Lists of one element must still be arrays.
  isArray: (name) => ['Row', 'Value', 'Column', 'Key', 'ColumnRef'].includes(name),
  processEntities: true,
});

type Node = Record<string, unknown>;

const asNode = (value: unknown): Node => (value !== null && typeof value === 'object' ? (value as Node) : {});
const asArray = (value: unknown): Node[] =>
  Array.isArray(value) ? value.map(asNode) : value === undefined ? [] : [asNode(value)];
const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const node = asNode(value);
  return typeof node['#text'] === 'string' ? node['#text'] : undefined;
};

export function parseGenericode(xml: string, file: string): CodeList {
  let doc: Node;
  try {
    doc = asNode(parser.parse(xml));
  } catch (e) {
    throw invalid(`${file}: not well-formed XML (${(e as Error).message})`);
  }
  const list = asNode(doc.CodeList);
  const identification = asNode(list.Identification);
  const uri = text(identification.CanonicalUri);
  const version = text(identification.Version);
  if (uri === undefined || version === undefined) {
    throw invalid(`${file}: not a genericode CodeList (Identification/CanonicalUri and Version are required)`);
  }
  const columns = asArray(asNode(list.ColumnSet).Column).map((c) => String(c['@Id']));
  const keyRef = asArray(asArray(asNode(list.ColumnSet).Key)[0]?.ColumnRef)[0]?.['@Ref'];
  const keyColumn = typeof keyRef === 'string' ? keyRef : columns[0];
  if (keyColumn === undefined) throw invalid(`${file}: the list has no columns`);
  const others = columns.filter((c) => c !== keyColumn);
  const nameColumn =
    others.find((c) => /beschreibung|bezeichnung|name|wert|staatsangehoerigkeit/i.test(c)) ?? others[0];

  const codes = new Map<string, string | undefined>();
  for (const row of asArray(asNode(list.SimpleCodeList).Row)) {
    const values = new Map<string, string | undefined>();
    for (const value of asArray(row.Value)) values.set(String(value['@ColumnRef']), text(value.SimpleValue));
    const code = values.get(keyColumn);
    if (code === undefined || code === '') continue;
    codes.set(code, nameColumn === undefined ? undefined : values.get(nameColumn));
  }
  if (codes.size === 0) throw invalid(`${file}: the list ${uri} has no codes`);

  const description = asNode(asNode(list.Annotation).Description);
  return {
    uri,
    version,
    shortName: text(identification.ShortName) ?? uri,
    codes,
    file,
    unofficial: unofficialElement in description,
  };
}
