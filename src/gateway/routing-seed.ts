import { resolve } from 'node:path';
import type { ConfigWithRoutingSeed } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';
import type { DestinationKeyCheck } from './seal-setup.js';

/**
 * The store is routing's source of truth and `routing.yaml` only seeds an empty one (design.md): what is wrong
 * with the file refuses the start only when it would be seeded, and is a warning naming file and pointers when
 * the store already holds the routing in force. Returns the routing to seed with, or nothing over a filled store.
 * Of the keys only those written into the file (inline JWKs) can make it wrong: a key URL or a FIT-Connect
 * destination that cannot give its key now (down, mid-rotation) leaves that destination unhealthy once the
 * routing is in force, and never stops the start.
 */
export async function routingSeedToUse(
  config: ConfigWithRoutingSeed,
  store: Store,
  checkKeys: DestinationKeyCheck | ((routing: Routing) => Promise<FieldError[]>),
  logger: Logger,
): Promise<Routing | undefined> {
  const file = resolve(config.configDir, config.gateway.routing);
  const storeHoldsRouting = (await store.currentRoutingVersionNumber()) > 0;
  if ('problem' in config.routingSeed) {
    if (!storeHoldsRouting) throw config.routingSeed.problem;
    logger.warn(
      { file, errors: config.routingSeed.problem.errors },
      'routing.yaml is invalid and ignored: the routing in the store stays in force (the file only seeds an empty store)',
    );
    return undefined;
  }
  if (storeHoldsRouting) return undefined;
  const keyProblems = await checkKeys(config.routingSeed.routing, ['inline']);
  if (keyProblems.length > 0) {
    throw new AmtsboteError(
      'invalid-config',
      `${config.gateway.routing}: ${keyProblems.map((p) => `${p.pointer}: ${p.detail}`).join('; ')}`,
      keyProblems,
    );
  }
  return config.routingSeed.routing;
}
