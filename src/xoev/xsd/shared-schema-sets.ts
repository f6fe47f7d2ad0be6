/**
 * Compiled schema sets shared by everyone who needs the same one in a thread: the XÖV layer (loadXoev) and the
 * inbound mappings compiled XGewerbeanzeige 2.2 each for themselves, a third of `config check`'s XSD time
 * (issue 26), and a reload compiled every set again although its files had not changed.
 *
 * Ownership is counted: each acquireSchemaSet is matched by one releaseSchemaSet, and the set's WASM memory is
 * freed when the last holder releases it — a reload's new XÖV set takes the set before the old one (retired later)
 * lets go, so the set lives on. A set is handed out again only while every file it was compiled from (root,
 * includes and imports served, catalogs) still has the bytes it was compiled from (SHA-512); otherwise the set is
 * compiled anew, and holders of the old one keep theirs until they release it. Compile errors are never cached.
 */
import { compileSchemaSetReading, digestOfFile, disposeSchemaSet, type SchemaSetSource } from './compile-schema-set.js';
import type { SchemaSet } from './schema-set.js';

interface Shared {
  key: string;
  set: SchemaSet;
  inputs: Map<string, string>;
  holders: number;
}

/** The set now handed out for a source (one per source: the newest compile). */
const current = new Map<string, Shared>();
/** Every set with holders, the superseded ones included, by the object handed out. */
const held = new WeakMap<SchemaSet, Shared>();

/** A compiled set for `source`, shared while its files are unchanged; release it with releaseSchemaSet. */
export function acquireSchemaSet(source: SchemaSetSource): SchemaSet {
  const key = JSON.stringify([
    source.id,
    source.kind,
    source.standard,
    source.version,
    source.rootFile,
    source.catalogFile,
  ]);
  const found = current.get(key);
  if (found && unchanged(found.inputs)) {
    found.holders++;
    return found.set;
  }
  // Superseded (or not yet compiled): its holders keep it until they release it; new ones get a fresh compile.
  if (found) current.delete(key);
  const { set, inputs } = compileSchemaSetReading(source);
  const shared: Shared = { key, set, inputs, holders: 1 };
  current.set(key, shared);
  held.set(set, shared);
  return set;
}

/** Gives a set back; the last holder frees it. A set acquireSchemaSet did not hand out is freed at once. */
export function releaseSchemaSet(set: SchemaSet): void {
  const shared = held.get(set);
  if (shared === undefined) {
    disposeSchemaSet(set);
    return;
  }
  shared.holders--;
  if (shared.holders > 0) return;
  held.delete(set);
  if (current.get(shared.key) === shared) current.delete(shared.key);
  disposeSchemaSet(set);
}

function unchanged(inputs: Map<string, string>): boolean {
  for (const [file, digest] of inputs) if (digestOfFile(file) !== digest) return false;
  return true;
}
