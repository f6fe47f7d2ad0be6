import type { Routing } from '../config/routing-schema.js';
import type { FieldError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { KeyOrigin } from '../seal/index.js';
import type { Store } from '../store/store.js';
import { validateRouting } from '../config/validate-routing.js';
import { ConfigError } from '../lib/errors.js';

export interface CurrentRouting {
  version: number;
  routing: Routing;
}

export interface RoutingState {
  current(): CurrentRouting;
  /** Reads the newest version from the store if it changed; called on a timer and after a local change. */
  refresh(): Promise<void>;
  /** Checks the keys a routing document names itself (inline, key URLs) before it is stored. */
  checkKeys(routing: Routing): Promise<FieldError[]>;
  stop(): void;
}

/**
 * The store is routing's source of truth (design.md): `routing.yaml` seeds version 1 into an empty store,
 * and every instance polls the version number, so a change made anywhere is in force everywhere within
 * `pollMs` — on PostgreSQL at once, when another instance's notice calls `refresh` (gateway/start.ts). A
 * stored version that no longer validates (a service was removed from the config) is not taken: the instance
 * keeps the version it has and says so in the log.
 */
export async function startRoutingState(options: {
  store: Store;
  /** `routing.yaml`, checked; absent when it is broken, and then the store must already hold routing. */
  seed: Routing | undefined;
  /** The services configured now (a configuration reload may add some). */
  knownServices: () => ReadonlySet<string>;
  /** The operator's folder for file destinations (gateway.yaml `fileDropRoot`, resolved). */
  fileDropRoot: string;
  /**
   * Checks the destinations' keys (seal/) of the given origins (default: the keys a document names itself). A
   * version is taken whatever its keys' state now: a key that cannot be had is the destination's problem (its
   * health; intake refuses its submissions), never the other destinations'. The check of an adopted version
   * runs in the background, warms the key caches and logs what cannot be had.
   */
  checkKeys?: (routing: Routing, origins?: readonly KeyOrigin[]) => Promise<FieldError[]>;
  logger: Logger;
  now: () => Date;
  pollMs?: number;
}): Promise<RoutingState> {
  const { store, logger } = options;
  if ((await store.currentRoutingVersionNumber()) === 0) {
    if (!options.seed) throw new ConfigError('the store holds no routing and routing.yaml gives none to seed it with');
    await store.appendRoutingVersion(0, {
      document: options.seed,
      author: 'config',
      note: 'seeded from routing.yaml',
      createdAt: options.now().toISOString(),
    });
    logger.info('seeded routing version 1 from routing.yaml into the empty store');
  }
  let state: CurrentRouting | undefined;
  const load = async (): Promise<void> => {
    const newest = await store.currentRoutingVersionNumber();
    if (state && state.version === newest) return;
    const stored = await store.currentRouting();
    if (!stored) return;
    const checked = validateRouting(stored.document, options.knownServices(), options.fileDropRoot);
    if ('errors' in checked) {
      logger.error(
        { version: stored.version, errors: checked.errors.slice(0, 5) },
        'stored routing version does not validate against this configuration; keeping the previous one',
      );
      return;
    }
    // Loads overlap (the timer, a local change, another instance's notice): an older one finishing last must
    // not put its version back in force.
    if (state && stored.version <= state.version) return;
    state = { version: stored.version, routing: checked.routing };
    logger.info({ version: stored.version }, 'routing version in force');
    warmKeys(stored.version, checked.routing);
  };
  const warmKeys = (version: number, routing: Routing) => {
    options
      .checkKeys?.(routing, ['inline', 'remote', 'provided'])
      .then((problems) => {
        if (problems.length > 0)
          logger.warn(
            { version, destinations: [...new Set(problems.map((p) => destinationAt(routing, p.pointer)))] },
            'destinations whose keys cannot be had now: their submissions are refused until the keys can be had',
          );
      })
      .catch((error: unknown) => {
        logger.warn({ errorClass: (error as Error).name }, "checking the destinations' keys failed");
      });
  };
  await load();
  if (!state) throw new ConfigError('no valid routing version in the store');
  const timer = setInterval(() => {
    load().catch((error: unknown) => {
      logger.warn({ errorClass: (error as Error).name }, 'routing refresh failed');
    });
  }, options.pollMs ?? 2000);
  timer.unref();
  return {
    current: () => state as CurrentRouting,
    refresh: load,
    checkKeys: async (routing) => (await options.checkKeys?.(routing, ['inline', 'remote'])) ?? [],
    stop: () => {
      clearInterval(timer);
    },
  };
}

/** The id of the destination a key problem's pointer (`/destinations/<i>/…`) names. */
function destinationAt(routing: Routing, pointer: string): string | undefined {
  const index = /^\/destinations\/(\d+)\//.exec(pointer)?.[1];
  return index === undefined ? undefined : routing.destinations[Number(index)]?.id;
}
