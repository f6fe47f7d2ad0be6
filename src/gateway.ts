import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadHmacSecret } from './config/gateway-secret.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.js';
import { createApp } from './http/app.js';
import type { IntakeContext } from './intake/accept-submission.js';
import { compileDataValidators } from './intake/data-validator.js';
import { keyedHash } from './intake/keyed-hash.js';
import { normalizeData } from './intake/normalize.js';
import { createLogger, type Logger } from './observability/logger.js';
import { startRoutingState, type RoutingState } from './routing/routing-state.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { version } from './version.js';

export interface GatewayOptions extends LoadOptions {
  logger?: Logger;
  clock?: () => Date;
  newId?: () => string;
}

export interface RunningGateway {
  url: string;
  config: LoadedConfig;
  store: Store;
  routing: RoutingState;
  close(): Promise<void>;
}

/** Loads config, opens and migrates the store, seeds portals once and starts listening. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger();
  const config = loadConfig(options);
  const validators = compileDataValidators(config.services);
  const { secret, generated } = loadHmacSecret(config.gateway.hmacSecret, config.configDir, config.dataDir);
  if (generated) logger.warn({ dataDir: config.dataDir }, 'created a development HMAC secret in the data dir; configure hmacSecret for production');

  const store = await openStore(config);
  const now = (options.clock ?? (() => new Date()))();
  const seeded = await store.seedPortals(
    config.gateway.portals.map(({ tokenHashes, ...p }) => ({ ...p, tokens: tokenHashes.map((hash) => ({ hash })) })),
    now.toISOString(),
  );
  if (seeded > 0) logger.info({ portals: seeded }, 'seeded portals from gateway.yaml into the empty store');

  const routing = await startRoutingState({
    store,
    seed: config.routing,
    knownServices: new Set(config.services.keys()),
    logger,
    now: options.clock ?? (() => new Date()),
    pollMs: config.gateway.routingPollSeconds * 1000,
  });
  const intake: IntakeContext = {
    config,
    routing: () => routing.current(),
    validators,
    normalize: normalizeData,
    store,
    hash: keyedHash(secret),
    clock: options.clock ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
    publicBaseUrl: config.gateway.publicBaseUrl ?? '',
  };
  const app = createApp({ intake, routing, logger, version });
  const server = app.listen(config.gateway.listen.port, config.gateway.listen.host);
  await new Promise<void>((resolveListen, reject) => {
    server.once('listening', resolveListen);
    server.once('error', reject);
  });
  // Slow clients must not hold sockets forever; a 25 MB upload still fits comfortably.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  intake.publicBaseUrl = config.gateway.publicBaseUrl ?? url;
  logger.info({ url, store: store.kind, configHash: config.hash, version }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    store,
    routing,
    close() {
      closing ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => { done(); });
          server.closeIdleConnections();
        });
        routing.stop();
        await store.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}
