/**
 * Writes the element tree as XML with xmlbuilder2. Output is indented so that libxml2's line numbers mean
 * something to a reader.
 *
 * Escaping: xmlbuilder2 escapes `<` and `>` (so `]]>` cannot appear), but it leaves an `&` alone when it
 * already looks like an entity or decimal character reference (`&amp;`, `&nbsp;`, `&#13;`) — user text
 * "T&amp;" would arrive as "T&", and "&nbsp;" would make the document ill-formed. So every `&` is escaped
 * here first (xmlbuilder2 then keeps our `&amp;`), and CR, which any XML parser turns into LF, is written
 * as `&#13;`; in attribute values TAB and LF too, which attribute normalisation would turn into spaces.
 */
import { createRequire } from 'node:module';
import type * as XmlBuilder2 from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { BuiltElement } from './built-element.js';

/**
 * xmlbuilder2 (a CommonJS package, with its DOM about 160 modules) is loaded when the first message is written, not
 * with the XÖV layer: `config check` and the other commands that load the mappings never write one (issue 26).
 */
let xmlbuilder2: typeof XmlBuilder2 | undefined;
const xmlBuilder = () => (xmlbuilder2 ??= createRequire(import.meta.url)('xmlbuilder2') as typeof XmlBuilder2);

export function serialize(root: BuiltElement, namespaces: Readonly<Record<string, string>>): string {
  const doc = xmlBuilder().create({ version: '1.0', encoding: 'UTF-8' });
  const attributes: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(namespaces)) attributes[`xmlns:${prefix}`] = escapeAttribute(uri);
  const rootNode = doc.ele(root.namespace ?? null, root.qname, attributes);
  write(rootNode, root);
  return doc.end({ prettyPrint: true, indent: '  ' });
}

const escapeText = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('\r', '&#13;');
const escapeAttribute = (value: string): string => escapeText(value).replaceAll('\n', '&#10;').replaceAll('\t', '&#9;');

function write(node: XMLBuilder, element: BuiltElement): void {
  for (const [name, value] of element.attributes) node.att(name, escapeAttribute(value));
  if (element.text !== undefined) node.txt(escapeText(element.text));
  for (const child of element.children) write(node.ele(child.namespace ?? null, child.qname), child);
}
