/**
 * Decides which schema set validates a standard and version. Layout (see docs/mapping-format.md):
 *   official (operator-installed, takes precedence):  <officialSchemasDir>/<standard>/<version>/<set name>/
 *   Amtsbote's own profile:                            <xsdDir>/<standard>/<version>/
 * A set folder may hold `schema-set.json` — `{"root": "path/to/root.xsd", "catalog": "catalog.xml"}`,
 * both relative to the folder. Without it the root schema is the first `<standard>.xsd` found in the folder
 * (the name KoSIT's validator configuration uses) and the catalog is `catalog.xml` if there is one.
 * With several official sets for one version, the last folder name in sort order wins (name them by date).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AmtsboteError } from '../../lib/errors.js';
import type { SchemaSetSource } from './compile-schema-set.js';

export interface SchemaDirs {
  xsdDir: string;
  officialSchemasDir?: string;
}

export function findSchemaSet(dirs: SchemaDirs, standard: string, version: string): SchemaSetSource {
  if (dirs.officialSchemasDir !== undefined) {
    const versionDir = join(dirs.officialSchemasDir, standard, version);
    const sets = existsSync(versionDir)
      ? readdirSync(versionDir)
          .filter((n) => isDir(join(versionDir, n)))
          .sort()
      : [];
    const newest = sets.at(-1);
    if (newest !== undefined)
      return describe(join(versionDir, newest), `official:${newest}`, 'official', standard, version);
  }
  const profileDir = join(dirs.xsdDir, standard, version);
  if (isDir(profileDir))
    return describe(profileDir, `amtsbote-profile:${standard}/${version}`, 'amtsbote-profile', standard, version);
  throw new AmtsboteError(
    'invalid-config',
    `no schema set for ${standard} ${version}: neither an official set nor ${profileDir}`,
  );
}

function describe(
  dir: string,
  id: string,
  kind: SchemaSetSource['kind'],
  standard: string,
  version: string,
): SchemaSetSource {
  const manifest = readManifest(dir);
  const rootFile = manifest.root !== undefined ? join(dir, manifest.root) : findFile(dir, `${standard}.xsd`);
  if (rootFile === undefined || !existsSync(rootFile)) {
    throw new AmtsboteError(
      'invalid-config',
      `schema set ${id} (${dir}): root schema ${manifest.root ?? `${standard}.xsd`} not found`,
    );
  }
  const catalog = join(dir, manifest.catalog ?? 'catalog.xml');
  return { id, kind, standard, version, rootFile, ...(existsSync(catalog) ? { catalogFile: catalog } : {}) };
}

function readManifest(dir: string): { root?: string; catalog?: string } {
  const file = join(dir, 'schema-set.json');
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof parsed.root === 'string' ? { root: parsed.root } : {}),
      ...(typeof parsed.catalog === 'string' ? { catalog: parsed.catalog } : {}),
    };
  } catch (e) {
    throw new AmtsboteError('invalid-config', `${file}: ${(e as Error).message}`);
  }
}

/** Breadth-first, so a root schema at the top wins over a same-named file deeper down. */
function findFile(dir: string, name: string): string | undefined {
  const queue = [dir];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const entries = readdirSync(current).sort();
    if (entries.includes(name) && !isDir(join(current, name))) return join(current, name);
    queue.push(...entries.map((e) => join(current, e)).filter(isDir));
  }
  return undefined;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
