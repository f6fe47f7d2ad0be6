import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, normalize, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { AmtsboteError } from '../../lib/errors.js';
import { compileSchemaSet, disposeSchemaSet } from '../xsd/compile-schema-set.js';
import { findSchemaSet } from '../xsd/find-schema-set.js';

const setNamePattern = /^[A-Za-z0-9._-]{1,80}$/;

/** Unpacks a zip into `dir`, refusing entries that would land outside it (zip slip). */
function unzipInto(zip: Uint8Array, dir: string): void {
  const entries = unzipSync(zip);
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const target = resolve(dir, normalize(name));
    if (!target.startsWith(resolve(dir) + sep))
      throw new AmtsboteError('invalid-config', `zip entry ${name} points outside the schema set`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/**
 * `amtsbote schemas add <dir|zip>`: installs an official schema set (an XRepository download) as
 * `<officialSchemasDir>/<standard>/<version>/<name>/`. The set must compile — with its catalog, without
 * the network — before it is moved into place; from the next start it takes precedence over the
 * project's own profile.
 */
export async function installSchemaSet(
  source: string,
  options: { officialSchemasDir: string; xsdDir: string; standard: string; version: string; name?: string | undefined },
): Promise<{ dir: string; id: string }> {
  const name = options.name ?? basename(source).replace(/\.zip$/i, '');
  if (!setNamePattern.test(name))
    throw new AmtsboteError(
      'invalid-config',
      `schema set name "${name}" must be letters, digits, dots, hyphens or underscores`,
    );
  for (const part of [options.standard, options.version]) {
    if (!setNamePattern.test(part))
      throw new AmtsboteError('invalid-config', `"${part}" is not a valid standard or version name`);
  }
  const versionDir = join(options.officialSchemasDir, options.standard, options.version);
  const target = join(versionDir, name);
  if (existsSync(target)) throw new AmtsboteError('conflict', `${target} exists already; choose another --name`);
  mkdirSync(versionDir, { recursive: true });
  const staging = mkdtempSync(join(versionDir, '.staging-'));
  try {
    const stagedSet = join(staging, options.standard, options.version, name);
    mkdirSync(stagedSet, { recursive: true });
    if (statSync(source).isDirectory()) cpSync(source, stagedSet, { recursive: true });
    else unzipInto(new Uint8Array(await readFile(source)), stagedSet);
    const found = findSchemaSet(
      { xsdDir: options.xsdDir, officialSchemasDir: staging },
      options.standard,
      options.version,
    );
    disposeSchemaSet(compileSchemaSet(found));
    renameSync(stagedSet, target);
    return { dir: target, id: `official:${name}` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
