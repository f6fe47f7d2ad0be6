/**
 * A small reader for OASIS XML catalogs (the `catalog.xml` shipped with official XÖV schema sets), so that
 * absolute schemaLocations such as `http://xoev.de/schemata/code/1_0/xoev-code.xsd` resolve to local files.
 * libxml2-wasm is built without catalog support, hence this. Supported: `uri`, `system`, `rewriteURI`,
 * `rewriteSystem`, `nextCatalog`, inside `group` too; exact entries win over rewrites, the longest rewrite
 * prefix wins, `nextCatalog`s are asked last, in order. `xml:base` and delegation are not supported.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AmtsboteError } from '../../lib/errors.js';

/** Maps a URI or system id to an absolute local file path, or undefined when the catalog has no entry. */
export type CatalogResolver = (uri: string) => string | undefined;

const entryElements = ['uri', 'system', 'rewriteURI', 'rewriteSystem', 'nextCatalog', 'group'];
const parser = new XMLParser({
  ignoreAttributes: false,
  // A prefix keeps attributes apart from elements of the same name (`<uri uri="…">`).
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => entryElements.includes(name),
});

type Node = Record<string, unknown>;

interface ParsedCatalog {
  exact: Map<string, string>;
  rewrites: { prefix: string; target: string; base: string }[];
  next: string[];
}

export function loadCatalog(file: string, seen: Set<string> = new Set()): CatalogResolver {
  const path = resolvePath(file);
  // A catalog chain that loops back would recurse forever; the second visit adds nothing.
  if (seen.has(path)) return () => undefined;
  seen.add(path);
  let root: Node;
  try {
    root = (parser.parse(readFileSync(path, 'utf8')) as Node).catalog as Node;
  } catch (e) {
    throw new AmtsboteError('invalid-config', `${path}: the XML catalog cannot be read (${(e as Error).message})`);
  }
  if (typeof root !== 'object') throw new AmtsboteError('invalid-config', `${path}: not an OASIS XML catalog`);
  const parsed: ParsedCatalog = { exact: new Map(), rewrites: [], next: [] };
  collect(root, dirname(path), parsed);
  parsed.rewrites.sort((a, b) => b.prefix.length - a.prefix.length);
  const next = parsed.next.map((f) => loadCatalog(f, seen));

  return (uri) => {
    const exact = parsed.exact.get(uri);
    if (exact !== undefined) return exact;
    const rewrite = parsed.rewrites.find((r) => uri.startsWith(r.prefix));
    // OASIS rewriting is plain string concatenation, resolved against the catalog's folder afterwards.
    if (rewrite !== undefined) return resolvePath(rewrite.base, rewrite.target + uri.slice(rewrite.prefix.length));
    for (const resolver of next) {
      const found = resolver(uri);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

function collect(node: Node, base: string, into: ParsedCatalog): void {
  const list = (name: string): Node[] => (Array.isArray(node[name]) ? (node[name] as Node[]) : []);
  const attr = (entry: Node, name: string): string | undefined => {
    const value = entry[`@${name}`];
    return typeof value === 'string' ? value : undefined;
  };
  for (const entry of list('uri')) addExact(attr(entry, 'name'), attr(entry, 'uri'));
  for (const entry of list('system')) addExact(attr(entry, 'systemId'), attr(entry, 'uri'));
  for (const entry of list('rewriteURI')) addRewrite(attr(entry, 'uriStartString'), attr(entry, 'rewritePrefix'));
  for (const entry of list('rewriteSystem'))
    addRewrite(attr(entry, 'systemIdStartString'), attr(entry, 'rewritePrefix'));
  for (const entry of list('nextCatalog')) {
    const catalog = attr(entry, 'catalog');
    if (catalog !== undefined) into.next.push(resolvePath(base, catalog));
  }
  for (const group of list('group')) collect(group, base, into);

  function addExact(key: string | undefined, target: string | undefined): void {
    if (key !== undefined && target !== undefined && !into.exact.has(key))
      into.exact.set(key, resolvePath(base, target));
  }
  function addRewrite(prefix: string | undefined, target: string | undefined): void {
    if (prefix !== undefined && target !== undefined) into.rewrites.push({ prefix, target, base });
  }
}
