import { loadHmacSecret } from '../config/gateway-secret.js';
import type { LoadedConfig } from '../config/load.js';
import { keyedHash } from '../lib/keyed-hash.js';
import type { MigrationContext } from '../store/migrations/context.js';

/** The gateway's keyed hash, for migrations that convert stored values; the secret is read only when one needs it. */
export function migrationContext(loaded: LoadedConfig): MigrationContext {
  return {
    keyedHash: () =>
      keyedHash(
        loadHmacSecret(loaded.gateway.hmacSecret, loaded.configDir, loaded.dataDir, loaded.gateway.store.kind).secret,
      ),
  };
}
