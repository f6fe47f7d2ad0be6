/**
 * Checks a Stammdatenschema against the XDatenfelder XSDs of its version where the operator has them (the
 * folder holding `xdatenfelder.xsd`, as XRepository ships it), compiled through xoev's schema-set compiler
 * (local files only, no network). Real published schemas deviate from their own XSD in places, so the
 * findings are warnings for the report, never a refusal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileSchemaSet, disposeSchemaSet } from '../xoev/xsd/compile-schema-set.js';
import { validateXml } from '../xoev/index.js';
import type { XdfVersion } from './model.js';

/** At most this many findings are listed; the rest are counted. */
const maxListed = 20;

export function checkAgainstXsd(xml: string, version: XdfVersion, xsdDir: string | undefined): string[] {
  if (xsdDir === undefined)
    return [`not checked against the XDatenfelder ${version} XSDs (give their folder with --xsd)`];
  const rootFile = join(xsdDir, 'xdatenfelder.xsd');
  if (!existsSync(rootFile)) return [`not checked against the XSDs: ${rootFile} does not exist`];
  const set = compileSchemaSet({
    id: `official:xdatenfelder/${version}`,
    kind: 'official',
    standard: 'xdatenfelder',
    version,
    rootFile,
  });
  try {
    const result = validateXml(set, xml);
    const listed = result.errors
      .slice(0, maxListed)
      .map((e) => `XSD ${version}${e.line !== undefined ? ` line ${e.line}` : ''}: ${e.message}`);
    const more = result.errors.length - listed.length;
    return more > 0 ? [...listed, `… and ${more} more XSD findings`] : listed;
  } finally {
    disposeSchemaSet(set);
  }
}
