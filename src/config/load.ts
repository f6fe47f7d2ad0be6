import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultFileDropRoot } from '../adapters/config/file.js';
import { AmtsboteError } from '../lib/errors.js';
import { validateRouting } from './validate-routing.js';
import { configError } from './config-error.js';
import { gatewaySchema, type GatewayConfig, type Region } from './gateway-schema.js';
import { readConfigFile } from './read-yaml.js';
import { z } from 'zod';
import type { Routing } from './routing-schema.js';
import { serviceFileSchema, type ServiceFile } from './service-schema.js';
import { compileAssertions, type CompiledAssertion } from './service-assertions.js';

export interface LoadedService {
  definition: ServiceFile;
  file: string;
  /** The JSON Schema of the service's data, parsed. */
  dataSchema: Record<string, unknown>;
  /** The definition's assertions, compiled. */
  assertions: CompiledAssertion[];
}

/** The configuration files as the gateway keeps them: routing is not among them, the store holds it (design.md). */
export interface ConfigFiles {
  configFile: string;
  configDir: string;
  dataDir: string;
  /** Where `file` destinations write below, resolved (gateway.yaml `fileDropRoot`). */
  fileDropRoot: string;
  gateway: GatewayConfig;
  services: Map<string, LoadedService>;
  regions: Map<string, Region>;
  /** Folders of the XÖV layer, resolved. */
  paths: {
    mappingsDir: string;
    xsdDir: string;
    codelistsDir: string;
    installedCodelistsDir: string;
    officialSchemasDir: string;
  };
  /** SHA-256 over every file loaded, so an operator sees instances whose configuration differs. */
  hash: string;
}

/**
 * `routing.yaml`, read and checked: the routing an empty store is seeded with, or why it cannot be. Only the
 * gateway's start decides whether a problem matters — over a store that already holds routing it does not.
 */
export type RoutingSeed = { routing: Routing } | { problem: AmtsboteError };

export interface ConfigWithRoutingSeed extends ConfigFiles {
  routingSeed: RoutingSeed;
}

/** The configuration files with `routing.yaml` checked and in force: what commands without a store work from. */
export interface LoadedConfig extends ConfigFiles {
  routing: Routing;
}

export const defaultConfigFile = 'config/gateway.yaml';

export interface LoadOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Loads and validates the whole configuration; throws an `invalid-config` error naming file and path. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const { routingSeed, ...files } = loadConfigWithRoutingSeed(options);
  if ('problem' in routingSeed) throw routingSeed.problem;
  return { ...files, routing: routingSeed.routing };
}

/**
 * Loads and validates the whole configuration; throws an `invalid-config` error naming file and path for
 * every file but `routing.yaml`, whose problems are returned in `routingSeed`.
 */
export function loadConfigWithRoutingSeed(options: LoadOptions = {}): ConfigWithRoutingSeed {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = resolve(cwd, options.configFile ?? env.AMTSBOTE_CONFIG ?? defaultConfigFile);
  const configDir = dirname(configFile);
  const hash = createHash('sha256');

  const gatewayFile = readConfigFile(configFile, gatewaySchema);
  hash.update(gatewayFile.raw);
  const gateway = applyEnvironment(gatewayFile.value, env, configFile);

  const routingFile = resolve(configDir, gateway.routing);
  const routing = readRoutingFile(routingFile);
  if ('raw' in routing) hash.update(routing.raw);

  const dataDir = env.AMTSBOTE_DATA_DIR ? resolve(cwd, env.AMTSBOTE_DATA_DIR) : resolve(configDir, gateway.dataDir);
  const fileDropRoot = gateway.fileDropRoot ? resolve(configDir, gateway.fileDropRoot) : defaultFileDropRoot(dataDir);
  const services = loadServices(resolve(configDir, gateway.services), hash);
  const routingSeed = checkRoutingSeed(routing, routingFile, new Set(services.keys()), fileDropRoot);

  const regions = new Map<string, Region>();
  gateway.regions.forEach((region, i) => {
    if (regions.has(region.ars)) throw configError(configFile, ['regions', i, 'ars'], `duplicate region ${region.ars}`);
    regions.set(region.ars, region);
  });

  const paths = {
    mappingsDir: resolve(configDir, gateway.mappings),
    xsdDir: resolve(configDir, gateway.xsd),
    codelistsDir: resolve(configDir, gateway.codelists),
    installedCodelistsDir: resolve(dataDir, 'codelists'),
    officialSchemasDir: gateway.officialSchemas
      ? resolve(configDir, gateway.officialSchemas)
      : resolve(dataDir, 'schemas'),
  };
  return {
    configFile,
    configDir,
    dataDir,
    fileDropRoot,
    gateway,
    routingSeed,
    services,
    regions,
    paths,
    hash: hash.digest('hex'),
  };
}

function readRoutingFile(file: string): { value: unknown; raw: string } | { problem: AmtsboteError } {
  try {
    // Read as YAML only: validateRouting checks schema and services in one pass.
    return readConfigFile(file, z.unknown());
  } catch (error) {
    if (error instanceof AmtsboteError) return { problem: error };
    throw error;
  }
}

function checkRoutingSeed(
  read: { value: unknown } | { problem: AmtsboteError },
  file: string,
  services: ReadonlySet<string>,
  fileDropRoot: string,
): RoutingSeed {
  if ('problem' in read) return read;
  const checked = validateRouting(read.value, services, fileDropRoot);
  if (!('errors' in checked)) return { routing: checked.routing };
  const lines = checked.errors.map((e) => `  ${e.pointer || '/'}: ${e.detail}`).join('\n');
  return {
    problem: new AmtsboteError('invalid-config', `${file} is invalid:\n${lines}`, checked.errors, { file }),
  };
}

function applyEnvironment(config: GatewayConfig, env: NodeJS.ProcessEnv, file: string): GatewayConfig {
  // The URL stays a reference: it is read when the store is opened, and never kept in the config.
  const gateway: GatewayConfig = env.AMTSBOTE_DATABASE_URL
    ? {
        ...config,
        store: {
          kind: 'postgres',
          url: 'env:AMTSBOTE_DATABASE_URL',
          poolSize: config.store.kind === 'postgres' ? config.store.poolSize : 10,
        },
      }
    : config;
  const port = envPort(env, 'AMTSBOTE_PORT', file, ['listen', 'port']);
  const metricsPort = envPort(env, 'AMTSBOTE_METRICS_PORT', file, ['metrics', 'listen', 'port']);
  let result = port === undefined ? gateway : { ...gateway, listen: { ...gateway.listen, port } };
  if (metricsPort !== undefined) {
    result = {
      ...result,
      metrics: { ...result.metrics, listen: { host: result.metrics?.listen?.host ?? '127.0.0.1', port: metricsPort } },
    };
  }
  return result;
}

function envPort(env: NodeJS.ProcessEnv, name: string, file: string, path: (string | number)[]): number | undefined {
  const port = env[name];
  if (port === undefined || port === '') return undefined;
  const value = Number(port);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw configError(`${file} (${name})`, path, `${name} "${port}" is not a port number`);
  }
  return value;
}

function loadServices(dir: string, hash: ReturnType<typeof createHash>): Map<string, LoadedService> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
      .sort();
  } catch {
    throw configError(dir, [], 'the services folder cannot be read');
  }
  const services = new Map<string, LoadedService>();
  for (const name of names) {
    const file = join(dir, name);
    const { value: definition, raw } = readConfigFile(file, serviceFileSchema);
    hash.update(raw);
    if (services.has(definition.key)) throw configError(file, ['key'], `service ${definition.key} is defined twice`);
    const schemaFile = resolve(dir, definition.dataSchema);
    let schemaRaw: string;
    try {
      schemaRaw = readFileSync(schemaFile, 'utf8');
    } catch {
      throw configError(file, ['dataSchema'], `schema file ${definition.dataSchema} cannot be read`);
    }
    hash.update(schemaRaw);
    let dataSchema: unknown;
    try {
      dataSchema = JSON.parse(schemaRaw);
    } catch (e) {
      throw configError(schemaFile, [], `is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof dataSchema !== 'object' || dataSchema === null || Array.isArray(dataSchema)) {
      throw configError(schemaFile, [], 'must be a JSON Schema object');
    }
    const assertions = compileAssertions(definition.assertions, file);
    services.set(definition.key, { definition, file, dataSchema: dataSchema as Record<string, unknown>, assertions });
  }
  return services;
}
