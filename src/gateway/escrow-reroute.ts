import type { ConfigFiles } from '../config/load.js';
import type { Reroute } from '../delivery/reroute.js';
import type { ConfigurationSet } from '../intake/configuration-set.js';
import { rerouteFromEscrow } from '../intake/reroute-from-escrow.js';
import { createLogger } from '../lib/logger.js';
import { version } from '../lib/version.js';
import type { KeyRing } from '../seal/index.js';
import type { Store } from '../store/store.js';
import { loadXoev } from '../xoev/index.js';
import { recipientKeyResolver, startSealing } from './seal-setup.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';
import { gatewayFitConnectDirectories } from './fitconnect-directories.js';

/**
 * Replay with reroute and deferred fan-out: re-mapped under the configuration in force (read per call, so a
 * reload reaches it) and re-sealed with the gateway's keys. The running gateway and `amtsbote dlq replay`
 * both build it here.
 */
export function escrowReroute(deps: {
  store: Store;
  sealing: KeyRing;
  clock: () => Date;
  configuration: () => Pick<ConfigurationSet, 'config' | 'xoev'>;
  /** What FIT-Connect destinations take, so a re-sealed message names the schema the destination offers. */
  fitConnect: FitConnectDirectories;
}): Reroute {
  const { configuration } = deps;
  return rerouteFromEscrow({
    store: deps.store,
    sealing: deps.sealing,
    clock: deps.clock,
    get config() {
      return configuration().config;
    },
    get xoev() {
      return configuration().xoev;
    },
    productVersion: version,
    fitConnect: deps.fitConnect,
  });
}

/** A reroute for a command run beside the gateway, and what frees it afterwards. */
export interface StandaloneReroute {
  reroute: Reroute;
  close(): void;
}

/**
 * The same reroute for a CLI command, from the loaded configuration and the store: the XÖV set is loaded
 * from the files and the keys' states read once (no refresh timer: the command ends soon).
 */
export async function standaloneReroute(
  config: ConfigFiles,
  store: Store,
  clock: () => Date = () => new Date(),
): Promise<StandaloneReroute> {
  const logger = createLogger({ level: 'warn' });
  const xoev = loadXoev(config.paths);
  try {
    const sealing = await startSealing(config, store, await recipientKeyResolver(config, logger), logger, clock);
    sealing.stop();
    const fitConnect = gatewayFitConnectDirectories(config, clock);
    return {
      reroute: escrowReroute({ store, sealing, clock, configuration: () => ({ config, xoev }), fitConnect }),
      close: () => {
        xoev.close();
        void fitConnect.close();
      },
    };
  } catch (error) {
    xoev.close();
    throw error;
  }
}
