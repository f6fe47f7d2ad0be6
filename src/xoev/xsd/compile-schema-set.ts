/**
 * Compiles one schema set, exactly once at start: register an input provider that serves the set's files
 * (relative includes, and absolute URLs through its catalog), parse the root schema with its absolute path
 * as URL so relative schemaLocations resolve, compile with XsdValidator.fromDoc, and remove the provider
 * again before any untrusted input is parsed. Nothing here reaches the network.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  XmlDocument,
  XmlLibError,
  XsdValidator,
  xmlCleanupInputProvider,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';
import { AmtsboteError } from '../../lib/errors.js';
import { sha512 } from '../../lib/sha512.js';
import { loadCatalog } from './catalog.js';
import { createSchemaInputProvider } from './schema-input-provider.js';
import type { SchemaSet, SchemaSetKind } from './schema-set.js';

export interface SchemaSetSource {
  id: string;
  kind: SchemaSetKind;
  standard: string;
  version: string;
  rootFile: string;
  /** OASIS XML catalog for absolute schemaLocations (official sets). */
  catalogFile?: string;
}

export function compileSchemaSet(source: SchemaSetSource): SchemaSet {
  return compileSchemaSetReading(source).set;
}

/**
 * Compiles as compileSchemaSet does and says what the set was built from: every file read (the root schema, each
 * include and import served, the catalogs) with the SHA-512 of its bytes — what shared-schema-sets.ts checks before
 * it hands out a compiled set again.
 */
export function compileSchemaSetReading(source: SchemaSetSource): { set: SchemaSet; inputs: Map<string, string> } {
  const rootFile = resolve(source.rootFile);
  const catalogFiles = new Set<string>();
  const catalog = source.catalogFile === undefined ? undefined : loadCatalog(source.catalogFile, catalogFiles);
  const provider = createSchemaInputProvider(catalog);
  if (!xmlRegisterInputProvider(provider))
    throw new AmtsboteError('internal', 'libxml2 refused the schema input provider');
  let schemaDocument: XmlDocument | undefined;
  try {
    const root = readFileSync(rootFile);
    schemaDocument = XmlDocument.fromBuffer(root, { url: rootFile });
    const validator = XsdValidator.fromDoc(schemaDocument);
    const inputs = new Map(provider.served).set(rootFile, sha512(root));
    for (const file of catalogFiles) inputs.set(file, digestOfFile(file));
    return { set: { ...source, rootFile, validator, schemaDocument }, inputs };
  } catch (e) {
    schemaDocument?.dispose();
    // The first few errors name the cause; the rest are usually consequences of a missing import.
    const details =
      e instanceof XmlLibError
        ? e.details.slice(0, 5).map((d) => `${d.file ?? rootFile}:${d.line}: ${d.message.trim()}`)
        : [];
    const refusedOnce = [...new Set(provider.refused)];
    const refused = refusedOnce.length > 0 ? ` Not in the catalog (never fetched): ${refusedOnce.join(', ')}.` : '';
    throw new AmtsboteError(
      'invalid-config',
      `schema set ${source.id} (${rootFile}) does not compile: ${details.join('; ') || (e as Error).message}.${refused}`,
    );
  } finally {
    // Untrusted XML is parsed later; it must find no way to load files.
    xmlCleanupInputProvider();
  }
}

/** The SHA-512 of a file's bytes; a file that cannot be read any more has none (and matches no recorded one). */
export function digestOfFile(file: string): string {
  try {
    return sha512(readFileSync(file));
  } catch {
    return 'unreadable';
  }
}

export function disposeSchemaSet(set: SchemaSet): void {
  set.validator.dispose();
  set.schemaDocument.dispose();
}
