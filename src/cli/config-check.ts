import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigWithRoutingSeed, type ConfigFiles, type ConfigWithRoutingSeed } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';
import { assertSecretsReadable, gatewaySecretProblems, routingSecretProblems } from '../config/secret-references.js';
import { validateRouting } from '../config/validate-routing.js';
import { compileDataValidators } from '../intake/data-validator.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import { din91379Keyword, loadXoev, type Xoev } from '../xoev/index.js';
import { loadInboundMappings } from '../sources/fitconnect/inbound-mapping.js';

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
  const inbound = await inboundMappings(loaded);
  try {
    lines.push(...inbound.lines);
    // Loaded while the inbound mappings still hold their schema sets, so a set both use is compiled once.
    const xoev = loadXoev(loaded.paths);
    try {
      lines.push(...(await fitConnectOfferLines({ config: loaded, xoev, routing })));
    } finally {
      xoev.close();
    }
  } finally {
    inbound.close();
  }
  return [
    `configuration ok: ${loaded.configFile}`,
    `  ${routingLine}`,
    `  services: ${loaded.services.size}, destinations: ${routing.destinations.length}, rules: ${routing.rules.length}, ` +
      `portals (seed): ${loaded.gateway.portals.length}`,
    `  hash: ${loaded.hash}`,
    ...lines,
  ].join('\n');
}

/**
 * Asks each FIT-Connect destination of the routing what it takes, as the running gateway does before it accepts a
 * submission: a destination that would reject a service routed to it fails the check (intake would refuse those
 * submissions with `destination-does-not-accept`); one whose delivery service cannot be reached now is reported and
 * not held against the configuration.
 */
async function fitConnectOfferLines(deps: { config: ConfigFiles; xoev: Xoev; routing: Routing }): Promise<string[]> {
  // destinationOfferState asks only these; without one, the FIT-Connect client (undici, jose) is not even loaded.
  if (!deps.routing.destinations.some((d) => d.sealing === 'fitconnect' && d.adapter.kind === 'fitconnect')) return [];
  const [{ gatewayFitConnectDirectories }, { destinationOfferState }] = await Promise.all([
    import('../gateway/fitconnect-directories.js'),
    import('../operations/destination-offers.js'),
  ]);
  const fitConnect = gatewayFitConnectDirectories(deps.config, () => new Date());
  try {
    const states = await Promise.all(
      deps.routing.destinations.map(async (d) => ({
        id: d.id,
        offer: await destinationOfferState({ ...deps, fitConnect }, d),
      })),
    );
    const lines: string[] = [];
    const problems: FieldError[] = [];
    for (const { id, offer } of states) {
      if (!offer) continue;
      if (offer.state === 'accepted')
        lines.push(`  FIT-Connect destination ${id}: takes the ${offer.services.length} service(s) routed to it`);
      else if (offer.state === 'unknown')
        lines.push(
          `warning: FIT-Connect destination ${id} not checked: its delivery service cannot be read now (${offer.unavailable})`,
        );
      else
        problems.push(
          ...offer.problems.map((p) => ({
            pointer: `/destinations/${deps.routing.destinations.findIndex((x) => x.id === id)}`,
            detail: `FIT-Connect destination ${id}, service ${p.service}: ${p.detail}`,
            code: p.reason,
          })),
        );
    }
    if (problems.length > 0)
      throw new AmtsboteError(
        'invalid-config',
        `FIT-Connect destinations would reject what the routing sends them:\n${problems.map((p) => `  ${p.detail}`).join('\n')}`,
        problems,
      );
    return lines;
  } finally {
    await fitConnect.close();
  }
}

/**
 * The inbound mappings of FIT-Connect data (`<mappings>/inbound/`), loaded as the pick-up loads them: a file that
 * would be refused there fails the check with its file and pointer. No folder: nothing to check. The caller closes
 * them once the XÖV layer is loaded (they share compiled schema sets).
 */
async function inboundMappings(config: ConfigFiles): Promise<{ lines: string[]; close: () => void }> {
  const dir = join(config.paths.mappingsDir, 'inbound');
  if (!existsSync(dir)) return { lines: [], close: () => undefined };
  const inbound = await loadInboundMappings(dir, new Set(config.services.keys()), {
    schemaDirs: { xsdDir: config.paths.xsdDir, officialSchemasDir: config.paths.officialSchemasDir },
  });
  const schemas = inbound.list().map((m) => `${m.schemaUri} (${m.mimeType})`);
  return {
    lines: [
      `  inbound mappings (FIT-Connect): ${schemas.length}${schemas.length > 0 ? ` — ${schemas.join(', ')}` : ''}`,
    ],
    close: () => {
      inbound.close();
    },
  };
}

/** Reads the routing version in force without creating, migrating or changing anything in the store. */
async function routingInForce(loaded: ConfigWithRoutingSeed): Promise<RoutingInForce> {
  const settings = loaded.gateway.store;
  if (settings.kind === 'sqlite' && !existsSync(resolve(loaded.dataDir, settings.file))) {
    return { from: 'seed', why: 'no store yet: it seeds the empty store' };
  }
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    // Imported only here: a check without a store (a fresh checkout) loads no store driver.
    const { openStore } = await import('../store/open-store.js');
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
