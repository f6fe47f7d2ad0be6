import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError } from '../../lib/errors.js';
import { parseGenericode } from '../codelists/parse-genericode.js';

/**
 * `amtsbote codelists add <file>`: installs an official genericode code list into the installed folder.
 * It is parsed first (a file that is not genericode is refused); at the next start it replaces the
 * project's excerpt of the same list and version, and a newer version is used instead of an older one.
 */
export function installCodeList(file: string, installedDir: string): { target: string; uri: string; version: string } {
  const list = parseGenericode(readFileSync(file, 'utf8'), file);
  const safe = `${list.uri.replace(/[^A-Za-z0-9._-]+/g, '_')}_${list.version.replace(/[^A-Za-z0-9._-]+/g, '_')}.xml`;
  mkdirSync(installedDir, { recursive: true });
  const target = join(installedDir, safe);
  if (existsSync(target))
    throw new AmtsboteError('conflict', `${list.uri} version ${list.version} is installed already (${target})`);
  copyFileSync(file, target);
  return { target, uri: list.uri, version: list.version };
}
