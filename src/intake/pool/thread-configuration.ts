import { existsSync } from 'node:fs';
import type { ConfigFiles } from '../../config/load.js';
import {
  compileSchemaSet,
  din91379Keyword,
  disposeSchemaSet,
  findSchemaSet,
  loadCodeLists,
  loadMappings,
  type SchemaSet,
  type Xoev,
} from '../../xoev/index.js';
import type { ConfigurationSet } from '../configuration-set.js';
import { compileDataValidators, type DataValidator } from '../data-validator.js';

/** The standards a task's messages are written in (a destination's `standard`). */
export interface StandardVersion {
  name: string;
  version: string;
}

/**
 * A pool thread's configuration set, compiled as its tasks need it (issue 26). The main thread has checked the
 * whole configuration at start or reload (config/load.ts, loadXoev), so a thread need not check it again up front:
 * it loads the mappings and code lists, and compiles a service's data validator on the first task for that service
 * and an XSD schema set on the first message in that standard and version. A thread that only ever sees one
 * service holds that service's validator and one schema set, not every service's — less memory per thread, and
 * seconds less CPU before the pool takes over from the event loop.
 */
export interface ThreadConfiguration {
  /** The set with `serviceKey`'s data validator compiled (if the service exists). */
  forValidate(serviceKey: string): ConfigurationSet;
  /** The set with the schema sets of `standards` compiled (those an XML mapping is written in). */
  forProduce(standards: readonly StandardVersion[]): ConfigurationSet;
  /** What has been compiled so far: service keys, and schema sets as `<standard>/<version>`. */
  compiled(): { services: string[]; schemaSets: string[] };
}

export function threadConfiguration(config: ConfigFiles): ThreadConfiguration {
  const { paths } = config;
  const installed = paths.installedCodelistsDir;
  const codeLists = loadCodeLists(paths.codelistsDir, ...(existsSync(installed) ? [installed] : []));
  const mappings = loadMappings(paths.mappingsDir);
  // Which standard versions have an XML mapping: loadXoev compiles a schema set for exactly those.
  const xmlStandards = new Set(mappings.mappings.filter((m) => m.format === 'xml').map((m) => key(m)));
  const validators = new Map<string, DataValidator>();
  const schemaSets = new Map<string, SchemaSet>();
  const xoev: Xoev = {
    mappings,
    codeLists,
    schemaSets,
    close: () => {
      schemaSets.forEach(disposeSchemaSet);
      schemaSets.clear();
    },
  };
  const set: ConfigurationSet = { config, validators, xoev };
  const dirs = { xsdDir: paths.xsdDir, officialSchemasDir: paths.officialSchemasDir };

  return {
    forValidate(serviceKey) {
      const service = config.services.get(serviceKey);
      if (service && !validators.has(serviceKey)) {
        const validator = compileDataValidators(new Map([[serviceKey, service]]), [din91379Keyword]).get(serviceKey);
        if (validator) validators.set(serviceKey, validator);
      }
      return set;
    },
    forProduce(standards) {
      for (const standard of standards) {
        const k = key({ standard: standard.name, version: standard.version });
        if (!xmlStandards.has(k) || schemaSets.has(k)) continue;
        schemaSets.set(k, compileSchemaSet(findSchemaSet(dirs, standard.name, standard.version)));
      }
      return set;
    },
    compiled: () => ({ services: [...validators.keys()], schemaSets: [...schemaSets.keys()] }),
  };
}

const key = (m: { standard: string; version: string }) => `${m.standard}/${m.version}`;
