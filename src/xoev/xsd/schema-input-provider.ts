/**
 * The libxml2-wasm input provider used while a schema set compiles: it serves `xs:include`/`xs:import`
 * from local files only. Relative schemaLocations arrive as absolute paths (the root schema is loaded with
 * its absolute path as URL); absolute http(s) URLs go through the set's XML catalog. An http(s) URL the
 * catalog does not know is claimed and refused, so libxml2 never tries the network.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XmlInputProvider } from 'libxml2-wasm';
import { sha512 } from '../../lib/sha512.js';
import type { CatalogResolver } from './catalog.js';

export interface SchemaInputProvider extends XmlInputProvider {
  /** Remote locations asked for and refused: named in the error when compiling fails. */
  refused: string[];
  /** Each local file served, with the SHA-512 of the bytes served: what a shared set's reuse is checked against. */
  served: Map<string, string>;
}

export function createSchemaInputProvider(catalog: CatalogResolver | undefined): SchemaInputProvider {
  const open = new Map<number, { data: Buffer; offset: number }>();
  let nextFd = 1; // 0 means "failed to open" to libxml2-wasm
  const refused: string[] = [];
  const served = new Map<string, string>();

  const localPath = (name: string): string | undefined => {
    if (/^https?:\/\//i.test(name)) return catalog?.(name);
    if (name.startsWith('file:')) return fileURLToPath(name);
    return isAbsolute(name) ? name : undefined;
  };

  return {
    refused,
    served,
    match: (name) => /^(https?|file):/i.test(name) || isAbsolute(name),
    open: (name) => {
      const path = localPath(name);
      if (path === undefined) {
        refused.push(name);
        return undefined;
      }
      try {
        const data = readFileSync(path);
        const fd = nextFd++;
        open.set(fd, { data, offset: 0 });
        served.set(path, sha512(data));
        return fd;
      } catch {
        return undefined;
      }
    },
    read: (fd, buf) => {
      const file = open.get(fd);
      if (file === undefined) return -1;
      const n = file.data.copy(buf, 0, file.offset, Math.min(file.offset + buf.byteLength, file.data.length));
      file.offset += n;
      return n;
    },
    close: (fd) => open.delete(fd),
  };
}
