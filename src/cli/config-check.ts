import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigWithRoutingSeed, type ConfigWithRoutingSeed } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';
import { assertSecretsReadable, gatewaySecretProblems, routingSecretProblems } from '../config/secret-references.js';
import { validateRouting } from '../config/validate-routing.js';
import { compileDataValidators } from '../intake/data-validator.js';
import { AmtsboteError } from '../lib/errors.js';
import { openStore } from '../store/open-store.js';
import { din91379Keyword, loadXoev } from '../xoev/index.js';

/** How long `config check` waits for the store before it checks `routing.yaml` alone. */
const storeWaitMs = 10_000;

/** The routing a start would put in force: the store's when it holds one, else `routing.yaml` as the seed. */
type RoutingInForce = { from: 'store'; version: number; document: unknown } | { from: 'seed'; why: string };

/**
 * `amtsbote config check`: everything the start checks, with the same messages. With the store reachable, the
 * routing checked is the one in force there (the store is routing's source of truth; `routing.yaml` only seeds an
 * empty store): its services must be configured and its destinations' secrets readable, and what is wrong with
 * `routing.yaml` is then a warning, as at the start. Returns the report; throws an `invalid-config` error.
 */
export async function checkConfiguration(options: { configFile?: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = options.env ?? process.env;
  const loaded = loadConfigWithRoutingSeed({ configFile: options.configFile, env });
  assertSecretsReadable(gatewaySecretProblems(loaded, env));
  const inForce = await routingInForce(loaded);
  const routingFile = resolve(loaded.configDir, loaded.gateway.routing);
  const lines: string[] = [];
  let routing: Routing;
  let routingLine: string;
  if (inForce.from === 'store') {
    const source = `the routing in force (version ${inForce.version} in the store)`;
    const checked = validateRouting(inForce.document, new Set(loaded.services.keys()), loaded.fileDropRoot);
    if ('errors' in checked) {
      throw new AmtsboteError(
        'invalid-config',
        `${source} is invalid against this configuration:\n${checked.errors.map((e) => `  ${e.pointer || '/'}: ${e.detail}`).join('\n')}`,
        checked.errors,
        { file: source },
      );
    }
    assertSecretsReadable(routingSecretProblems(loaded, checked.routing, source, env));
    routing = checked.routing;
    routingLine = `routing: version ${inForce.version} in the store`;
    if ('problem' in loaded.routingSeed) {
      lines.push(
        `warning: ${routingFile} is ignored while the store holds routing:\n${loaded.routingSeed.problem.message}`,
      );
    }
  } else {
    if ('problem' in loaded.routingSeed) throw loaded.routingSeed.problem;
    assertSecretsReadable(routingSecretProblems(loaded, loaded.routingSeed.routing, routingFile, env));
    routing = loaded.routingSeed.routing;
    routingLine = `routing: ${routingFile} (${inForce.why})`;
  }
  compileDataValidators(loaded.services, [din91379Keyword]);
  loadXoev(loaded.paths).close();
  return [
    `configuration ok: ${loaded.configFile}`,
    `  ${routingLine}`,
    `  services: ${loaded.services.size}, destinations: ${routing.destinations.length}, rules: ${routing.rules.length}, ` +
      `portals (seed): ${loaded.gateway.portals.length}`,
    `  hash: ${loaded.hash}`,
    ...lines,
  ].join('\n');
}

/** Reads the routing version in force without creating, migrating or changing anything in the store. */
async function routingInForce(loaded: ConfigWithRoutingSeed): Promise<RoutingInForce> {
  const settings = loaded.gateway.store;
  if (settings.kind === 'sqlite' && !existsSync(resolve(loaded.dataDir, settings.file))) {
    return { from: 'seed', why: 'no store yet: it seeds the empty store' };
  }
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    const store = await openStore(loaded, undefined, { migrate: false });
    try {
      const stored = await store.currentRouting();
      return stored
        ? ({ from: 'store', version: stored.version, document: stored.document } as const)
        : ({ from: 'seed', why: 'the store holds no routing: it seeds it' } as const);
    } finally {
      await store.close();
    }
  })();
  try {
    return await Promise.race([
      read,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${storeWaitMs / 1000} s`));
        }, storeWaitMs);
      }),
    ]);
  } catch (error) {
    read.catch(() => undefined);
    return { from: 'seed', why: `the store cannot be read (${(error as Error).message}): checked as the seed` };
  } finally {
    clearTimeout(timer);
  }
}
