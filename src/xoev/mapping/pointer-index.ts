/**
 * Maps each element's XML path to the JSON pointer of its input field, so an XSD error on an element can
 * name the field of the submission. The paths are written the way libxml2's xmlGetNodePath writes them
 * (which is what its validation errors carry): `prefix:name` steps, with a 1-based `[n]` only where a
 * parent has several children of that name.
 */
import type { BuiltElement } from './built-element.js';

export function indexPointers(root: BuiltElement): Map<string, string> {
  const index = new Map<string, string>();
  visit(root, `/${root.qname}`, index);
  return index;
}

// No inheritance: an element filled from configuration (header, AGS) has no input field to blame.
function visit(element: BuiltElement, path: string, index: Map<string, string>): void {
  if (element.pointer !== undefined) index.set(path, element.pointer);
  const counts = new Map<string, number>();
  for (const child of element.children) counts.set(key(child), (counts.get(key(child)) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const child of element.children) {
    const n = (seen.get(key(child)) ?? 0) + 1;
    seen.set(key(child), n);
    const step = (counts.get(key(child)) ?? 0) > 1 ? `${child.qname}[${n}]` : child.qname;
    visit(child, `${path}/${step}`, index);
  }
}

const key = (e: BuiltElement): string => `${e.namespace ?? ''} ${e.qname}`;
