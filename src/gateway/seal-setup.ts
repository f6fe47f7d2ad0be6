import { fitConnectKeyProviders, type FitConnectDirectories } from '../adapters/fitconnect/index.js';
import { guardedAgent } from '../adapters/guarded-agent.js';
import type { ConfigFiles } from '../config/load.js';
import { destinationKeySources } from '../config/destination-key-sources.js';
import type { Routing } from '../config/routing-schema.js';
import type { FieldError } from '../lib/errors.js';
import { startKeyRing, type StoredKeyRing } from './key-ring.js';
import type { Logger } from '../lib/logger.js';
import {
  checkDestinationKeys,
  createKeyResolver,
  loadGatewayKeys,
  loadTrustAnchors,
  type KeyOrigin,
  type KeyResolver,
} from '../seal/index.js';
import type { Store } from '../store/store.js';

/**
 * The recipients' key resolver under the configured policy (minimum modulus, trust anchors). With the
 * gateway's FIT-Connect directories it also resolves the keys FIT-Connect destinations hand out.
 */
export async function recipientKeyResolver(
  config: Pick<ConfigFiles, 'configDir' | 'gateway'>,
  logger?: Logger,
  fitConnect?: { directories: FitConnectDirectories; now: () => Date },
): Promise<KeyResolver> {
  const policy = config.gateway.recipientKeys;
  return createKeyResolver({
    // key endpoints are outbound HTTP like deliveries: the same address policy (no metadata services)
    dispatcher: guardedAgent(config.gateway.outbound, {
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 15_000,
      bodyTimeoutMs: 15_000,
    }),
    policy: {
      minModulusBits: policy.minModulusBits,
      trustAnchors: await loadTrustAnchors(policy.trustAnchors, config.configDir),
    },
    onRefreshError: (url, error) =>
      logger?.warn({ jwksUrl: url, errorClass: error.name }, 'JWKS refresh failed; cached keys stay in use'),
    ...(fitConnect ? { keyProvider: fitConnectKeyProviders(fitConnect.directories, fitConnect.now) } : {}),
  });
}

/**
 * The keys a routing document names itself (inline, or a key URL): what an editor handing in a document is
 * answered for. Keys a FIT-Connect destination's service hands out are not the document's: their problems
 * show as the destination's health, never as the editor's error.
 */
export const documentKeyOrigins: readonly KeyOrigin[] = ['inline', 'remote'];

/** Checks keys of a routing document; `origins` (default documentKeyOrigins) says which keys. */
export type DestinationKeyCheck = (routing: Routing, origins?: readonly KeyOrigin[]) => Promise<FieldError[]>;

/**
 * Every destination's keys checked against the policy: field errors with pointers into the routing
 * document. With a logger (the running gateway, whose answers reach editors) a key URL's problem is one
 * generic reason and the cause goes to the log; without (the CLI, run by the operator) the cause is shown.
 */
export function destinationKeyCheck(resolver: KeyResolver, logger?: Logger): DestinationKeyCheck {
  return async (routing, origins = documentKeyOrigins) =>
    (
      await checkDestinationKeys(
        routing.destinations.map((d) => {
          const sources = destinationKeySources(d);
          return { id: d.id, encryptionKey: sources.encryption, receiptKey: sources.receipt };
        }),
        resolver,
        origins,
      )
    ).map(({ pointer, detail, cause, destinationId, reason }) => {
      if (!logger) return { pointer, detail: cause };
      if (detail !== cause)
        logger.warn({ destinationId, pointer, reason, cause }, 'a destination key from a key URL cannot be used');
      return { pointer, detail };
    });
}

/** Loads the gateway's keys (files, or development keys on SQLite) and their state from the store. */
export async function startSealing(
  config: ConfigFiles,
  store: Store,
  resolver: KeyResolver,
  logger: Logger,
  now: () => Date,
): Promise<StoredKeyRing> {
  const keys = await loadGatewayKeys({
    config: config.gateway.keys,
    configDir: config.configDir,
    dataDir: config.dataDir,
    storeKind: store.kind,
  });
  if (keys.generated)
    logger.warn(
      { dataDir: config.dataDir },
      'created development signing and escrow keys in the data dir; configure keys: for production',
    );
  return startKeyRing({ keys, resolver, store, logger, now, pollMs: config.gateway.routingPollSeconds * 1000 });
}
