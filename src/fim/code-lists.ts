/**
 * The genericode code lists a schema's select fields refer to, read from the folder given with
 * `--codelists` (XRepository downloads) through xoev's genericode reader. A reference is resolved by its
 * canonical URI and version; one without a version resolves only when the folder holds exactly one version
 * of the list. Nothing is fetched and nothing guessed: an unresolved reference is reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError } from '../lib/errors.js';
import type { CodeList } from '../xoev/index.js';
import { parseGenericode } from '../xoev/codelists/parse-genericode.js';
import type { CodeListReference } from './model.js';

export type CodeListFolder = ReadonlyMap<string, ReadonlyMap<string, CodeList>>;

export function readCodeListFolder(dir: string | undefined): CodeListFolder {
  const lists = new Map<string, Map<string, CodeList>>();
  if (dir === undefined) return lists;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.xml'));
  } catch (e) {
    throw new AmtsboteError(
      'invalid-config',
      `the code list folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  for (const name of names.sort()) {
    const file = join(dir, name);
    const xml = readFileSync(file, 'utf8');
    // The folder may hold the schema itself or other XML beside the lists: only genericode documents count.
    if (!/<([\w.-]+:)?CodeList[\s>]/.test(xml)) continue;
    const list = parseGenericode(xml, file);
    const versions = lists.get(list.uri) ?? new Map<string, CodeList>();
    versions.set(list.version, list);
    lists.set(list.uri, versions);
  }
  return lists;
}

export function resolveCodeList(folder: CodeListFolder, reference: CodeListReference): CodeList | undefined {
  const versions = folder.get(reference.canonicalUri);
  if (versions === undefined) return undefined;
  if (reference.version !== undefined) return versions.get(reference.version);
  return versions.size === 1 ? [...versions.values()][0] : undefined;
}
