/**
 * Reads received XML data safely: UTF-8 only, no DOCTYPE (so no entity can be declared, let alone expanded: the
 * billion laughs end here), well-formedness checked by libxml2 (fast-xml-parser alone reads `<a><b></a>` without a
 * complaint; NONET, no entity substitution, the document disposed at once), then the root element's name and
 * namespace compared with the mapping's, and the content read by fast-xml-parser for the expressions. Everything
 * is text (no number guessing: a postcode `04229` stays `04229`); prefixes are dropped, so an expression reads
 * `satz.anmeldung` whatever prefix the sender chose. The size bound is checked by the caller before anything is
 * decoded.
 */
import { XMLParser } from 'fast-xml-parser';
import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';
import type { InboundIssue } from './inbound-mapping-types.js';

export interface XmlShape {
  namespace: string;
  rootNames: ReadonlySet<string>;
  lists: ReadonlySet<string>;
}

export type XmlReadResult =
  | { ok: true; text: string; value: unknown }
  | { ok: false; reason: 'data-syntax' | 'data-schema'; errors: InboundIssue[] };

const commonOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only the five predefined entities and character references: a DOCTYPE, the one place to declare more, is
  // refused before parsing.
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
};
/** With prefixes, to read the root's name and namespace declarations. */
const rootParser = new XMLParser(commonOptions);

const parsers = new WeakMap<ReadonlySet<string>, XMLParser>();
/** One parser per mapping (its list elements), made on first use. */
function contentParser(lists: ReadonlySet<string>): XMLParser {
  let parser = parsers.get(lists);
  if (parser === undefined) {
    parser = new XMLParser({ ...commonOptions, removeNSPrefix: true, isArray: (name) => lists.has(name) });
    parsers.set(lists, parser);
  }
  return parser;
}

const syntax = (detail: string): XmlReadResult => ({
  ok: false,
  reason: 'data-syntax',
  errors: [{ pointer: '', detail }],
});

export function readInboundXml(bytes: Buffer, shape: XmlShape): XmlReadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return syntax('is not UTF-8 text');
  }
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared))
    return syntax(`declares the encoding ${declared.slice(0, 40)}; only UTF-8 is taken`);
  if (hasDoctype(text)) return syntax('has a DOCTYPE: document type declarations and entities are not taken');
  const malformed = wellFormednessError(text);
  if (malformed !== undefined) return syntax(`is not well-formed XML: ${malformed}`);
  let withPrefixes: unknown;
  let content: unknown;
  try {
    withPrefixes = rootParser.parse(text);
  } catch (e) {
    return syntax(`cannot be read: ${(e as Error).message.slice(0, 300)}`);
  }
  const root = rootOf(withPrefixes);
  if (root === undefined) return syntax('has no single root element');
  const colon = root.qname.indexOf(':');
  const prefix = colon < 0 ? undefined : root.qname.slice(0, colon);
  const local = root.qname.slice(colon + 1);
  const namespace = root.attributes[prefix === undefined ? '@xmlns' : `@xmlns:${prefix}`];
  if (namespace !== shape.namespace || !shape.rootNames.has(local)) {
    return {
      ok: false,
      reason: 'data-schema',
      errors: [
        {
          pointer: `/${root.qname.slice(0, 100)}`,
          detail:
            `the root element is {${typeof namespace === 'string' ? namespace.slice(0, 200) : ''}}` +
            `${local.slice(0, 100)}; taken are ` +
            [...shape.rootNames].map((n) => `{${shape.namespace}}${n}`).join(', '),
        },
      ],
    };
  }
  try {
    content = (contentParser(shape.lists).parse(text) as Record<string, unknown>)[local];
  } catch (e) {
    return syntax(`cannot be read: ${(e as Error).message.slice(0, 300)}`);
  }
  return { ok: true, text, value: content ?? {} };
}

/** libxml2's first error (line and what), or undefined for a well-formed document. */
function wellFormednessError(text: string): string | undefined {
  let doc: XmlDocument | undefined;
  try {
    doc = XmlDocument.fromString(text, { option: ParseOption.XML_PARSE_NONET });
    return undefined;
  } catch (e) {
    if (!(e instanceof XmlLibError)) return 'it cannot be parsed';
    const first = e.details[0];
    if (first === undefined) return e.message.trim().slice(0, 200);
    return `line ${first.line}: ${first.message.trim().slice(0, 200)}`;
  } finally {
    doc?.dispose();
  }
}

function rootOf(parsed: unknown): { qname: string; attributes: Record<string, unknown> } | undefined {
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const keys = Object.keys(parsed);
  const qname = keys[0];
  if (keys.length !== 1 || qname === undefined || qname.startsWith('#')) return undefined;
  const value = (parsed as Record<string, unknown>)[qname];
  return { qname, attributes: value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {} };
}

/**
 * Whether the prolog (before the root element) holds a DOCTYPE. Read by hand, character by character, rather than
 * with a regular expression that could backtrack on hostile input; a DOCTYPE can stand nowhere else.
 */
function hasDoctype(text: string): boolean {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else {
      return text.startsWith('<!DOCTYPE', i) || text.startsWith('<!doctype', i);
    }
  }
}
