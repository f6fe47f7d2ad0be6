import { type FitConnectDirectories, fitConnectDirectories } from '../adapters/fitconnect/index.js';
import type { ConfigFiles } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';

/**
 * The gateway's one set of FIT-Connect destination directories (each destination's description, keys and token,
 * cached and refreshed in the background), shared by intake (what a destination takes), sealing (its key), the
 * delivery worker and the admin view, so a destination is read once for all of them. Its outbound HTTP obeys the
 * gateway's `outbound` policy like every delivery.
 */
export function gatewayFitConnectDirectories(
  config: Pick<ConfigFiles, 'configDir' | 'gateway'>,
  now: () => Date,
): FitConnectDirectories {
  return fitConnectDirectories({ outbound: config.gateway.outbound, configDir: config.configDir, now });
}

/**
 * Starts reading every FIT-Connect destination of the routing in the background, so the first submission for one
 * does not wait for its delivery service. A failure is kept by the directory (its status, the admin view) and read
 * again on demand.
 */
export function readFitConnectDestinations(directories: FitConnectDirectories, routing: Routing): void {
  for (const destination of routing.destinations) {
    if (destination.adapter.kind !== 'fitconnect' || !destination.enabled) continue;
    directories
      .directoryFor(destination.adapter)
      .info()
      .catch(() => undefined);
  }
}
