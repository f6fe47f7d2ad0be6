/**
 * Loads every genericode file (`*.xml`) of a folder at start and indexes it by listURI and listVersionID.
 * Several versions of one list may sit side by side (an operator adds a newer official one next to ours).
 * The same list and version twice is a configuration error, unless one of them is Amtsbote's own unofficial
 * excerpt: then the official file wins, which is how `amtsbote codelists add` takes precedence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError } from '../../lib/errors.js';
import type { CodeList, CodeLists } from './code-list.js';
import { parseGenericode } from './parse-genericode.js';

export function loadCodeLists(...dirs: string[]): CodeLists {
  const byUri = new Map<string, Map<string, CodeList>>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.xml'))
        .sort();
    } catch {
      throw new AmtsboteError('invalid-config', `${dir}: the code list folder cannot be read`);
    }
    for (const name of names) {
      const file = join(dir, name);
      add(byUri, parseGenericode(readFileSync(file, 'utf8'), file));
    }
  }
  return { byUri };
}

function add(byUri: Map<string, Map<string, CodeList>>, list: CodeList): void {
  let versions = byUri.get(list.uri);
  if (versions === undefined) byUri.set(list.uri, (versions = new Map<string, CodeList>()));
  const existing = versions.get(list.version);
  if (existing === undefined || (existing.unofficial && !list.unofficial)) {
    versions.set(list.version, list);
  } else if (existing.unofficial === list.unofficial) {
    throw new AmtsboteError(
      'invalid-config',
      `${list.file}: code list ${list.uri} version ${list.version} is already loaded from ${existing.file}`,
    );
  }
}
