import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { projectRoot } from './paths.js';

export interface ConfigCopyOptions {
  /** Destinations whose (http) endpoint URL is replaced, by id. */
  urls?: Record<string, string>;
  /** Destinations whose retry schedule is replaced, by id. */
  retry?: Record<string, { initialDelaySeconds: number; maxDelaySeconds: number; maxAttempts: number }>;
  /** Destinations whose circuit breaker settings are replaced, by id. */
  breaker?: Record<string, { consecutiveFailures: number; halfOpenAfterSeconds: number }>;
  /** `delivery:` settings of gateway.yaml to set (merged over what the file has). */
  delivery?: Record<string, number | boolean>;
  /** Top-level settings of gateway.yaml to set (replacing what the file has). */
  settings?: Record<string, unknown>;
  /** `limits:` settings of gateway.yaml to set (merged over what the file has). */
  limits?: Record<string, number>;
  /** Destinations whose accepted standard version (and message) is replaced, by id. */
  standards?: Record<string, { version: string; message?: string }>;
  /** Copy mappings/ beside the config copy (instead of pointing at the project's), so a test may change them. */
  copyMappings?: boolean;
  /** Gateway key files (absolute paths) for `keys:`, so that a start need not create development keys. */
  keys?: { signing: string | string[]; escrow: string | string[] };
}

export interface ConfigCopy {
  /** The copied config folder. */
  dir: string;
  /** Its gateway.yaml, for AMTSBOTE_CONFIG. */
  configFile: string;
  /** The mappings folder the copy uses (a copy of its own with `copyMappings`). */
  mappingsDir: string;
  remove(): void;
}

/**
 * Copies the project's config/ (demo keys, services, code lists and all) into a temporary folder and edits
 * the copy's gateway.yaml and routing.yaml, so a test can point a demo destination at a local receiver
 * without touching the real files. Paths of gateway.yaml that lead out of the config folder (mappings, XSD)
 * are made absolute; `file:` secret references stay relative to the copied folder.
 */
export function copyConfig(options: ConfigCopyOptions = {}): ConfigCopy {
  const sourceDir = join(projectRoot, 'config');
  const root = mkdtempSync(join(tmpdir(), 'amtsbote-config-'));
  const dir = join(root, 'config');
  cpSync(sourceDir, dir, { recursive: true });

  const gatewayFile = join(dir, 'gateway.yaml');
  const gateway = parseDocument(readFileSync(gatewayFile, 'utf8'));
  for (const [key, fallback] of [
    ['mappings', '../mappings'],
    ['xsd', '../xsd'],
  ] as const) {
    const value = gateway.get(key);
    gateway.set(key, resolve(sourceDir, typeof value === 'string' ? value : fallback));
  }
  if (options.copyMappings) {
    const mappingsDir = join(root, 'mappings');
    cpSync(String(gateway.get('mappings')), mappingsDir, { recursive: true });
    gateway.set('mappings', mappingsDir);
  }
  for (const [key, value] of Object.entries(options.delivery ?? {})) gateway.setIn(['delivery', key], value);
  for (const [key, value] of Object.entries(options.limits ?? {})) gateway.setIn(['limits', key], value);
  for (const [key, value] of Object.entries(options.settings ?? {})) gateway.set(key, value);
  if (options.keys) {
    const files = (f: string | string[]) => [f].flat().map((file) => ({ file }));
    gateway.set('keys', { signing: files(options.keys.signing), escrow: files(options.keys.escrow) });
  }
  writeFileSync(gatewayFile, gateway.toString());

  const routingName = gateway.get('routing');
  const routingFile = join(dir, typeof routingName === 'string' ? routingName : 'routing.yaml');
  const routing = parseDocument(readFileSync(routingFile, 'utf8'));
  const destinations = routing.get('destinations');
  if (!isSeq(destinations)) throw new Error(`${routingFile}: no destinations list`);
  const edited = new Set<string>();
  for (const item of destinations.items) {
    if (!isMap(item)) continue;
    const id = String(item.get('id'));
    const url = options.urls?.[id];
    if (url !== undefined) {
      if (item.getIn(['adapter', 'kind']) !== 'http') throw new Error(`destination ${id} is not an http destination`);
      item.setIn(['adapter', 'url'], url);
    }
    const retry = options.retry?.[id];
    if (retry) item.set('retry', routing.createNode(retry, { flow: true }));
    const breaker = options.breaker?.[id];
    if (breaker) item.set('breaker', routing.createNode(breaker, { flow: true }));
    const standard = options.standards?.[id];
    if (standard) {
      item.setIn(['standard', 'version'], standard.version);
      if (standard.message !== undefined) item.setIn(['standard', 'message'], standard.message);
    }
    if (url !== undefined || retry || breaker || standard) edited.add(id);
  }
  const wanted = new Set([
    ...Object.keys(options.urls ?? {}),
    ...Object.keys(options.retry ?? {}),
    ...Object.keys(options.breaker ?? {}),
    ...Object.keys(options.standards ?? {}),
  ]);
  const missing = [...wanted].filter((id) => !edited.has(id));
  if (missing.length > 0) throw new Error(`${routingFile}: no destination ${missing.join(', ')}`);
  writeFileSync(routingFile, routing.toString());

  return {
    dir,
    configFile: gatewayFile,
    mappingsDir: String(gateway.get('mappings')),
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
