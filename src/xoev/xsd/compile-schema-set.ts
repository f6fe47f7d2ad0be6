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
  const rootFile = resolve(source.rootFile);
  const catalog = source.catalogFile === undefined ? undefined : loadCatalog(source.catalogFile);
  const provider = createSchemaInputProvider(catalog);
  if (!xmlRegisterInputProvider(provider))
    throw new AmtsboteError('internal', 'libxml2 refused the schema input provider');
  let schemaDocument: XmlDocument | undefined;
  try {
    schemaDocument = XmlDocument.fromBuffer(readFileSync(rootFile), { url: rootFile });
    const validator = XsdValidator.fromDoc(schemaDocument);
    return { ...source, rootFile, validator, schemaDocument };
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

export function disposeSchemaSet(set: SchemaSet): void {
  set.validator.dispose();
  set.schemaDocument.dispose();
}
