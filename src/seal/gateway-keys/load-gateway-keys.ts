import { resolve } from 'node:path';
import { gatewayKeyError } from '../lib/errors.js';
import { readOwnerOnlyFile } from '../lib/owner-only-file.js';
import type { GatewayKeysConfig } from './config-schema.js';
import { createDevelopmentKeys } from './create-development-keys.js';
import { importEscrowKey } from './import-escrow-key.js';
import { importSigningKey } from './import-signing-key.js';
import { parsePrivateKey } from './read-private-key.js';
import type { GatewayEscrowKey, GatewayKeys, GatewaySigningKey } from './types.js';

export interface LoadGatewayKeysOptions {
  /** `keys:` of gateway.yaml; absent → development keys in the data dir (SQLite only). */
  config?: GatewayKeysConfig | undefined;
  /** Key file paths are relative to it. */
  configDir: string;
  dataDir: string;
  /** `sqlite` or `postgres`: development keys are refused with any store but SQLite. */
  storeKind: string;
}

/**
 * Loads the gateway's signing keys and escrow keys once at start. Files must be readable by their owner
 * only. Without `keys:` in the configuration, development keys are created in `<dataDir>/keys/` on the
 * first start and reused afterwards — SQLite only.
 */
export async function loadGatewayKeys(options: LoadGatewayKeysOptions): Promise<GatewayKeys> {
  if (options.config) {
    const signing = await Promise.all(
      options.config.signing.map((entry) => loadOne(entry, options.configDir, 'signing')),
    );
    const escrow = await Promise.all(options.config.escrow.map((entry) => loadOne(entry, options.configDir, 'escrow')));
    return {
      signing: byKid(signing as GatewaySigningKey[], 'signing'),
      escrow: byKid(escrow as GatewayEscrowKey[], 'escrow'),
      generated: false,
      source: 'files',
    };
  }
  const dev = await createDevelopmentKeys(options.dataDir, options.storeKind);
  const signing = await loadOne({ file: dev.signing }, options.dataDir, 'signing');
  const escrow = await loadOne({ file: dev.escrow }, options.dataDir, 'escrow');
  return {
    signing: byKid([signing as GatewaySigningKey], 'signing'),
    escrow: byKid([escrow as GatewayEscrowKey], 'escrow'),
    generated: dev.created,
    source: 'data-dir',
  };
}

async function loadOne(
  entry: { kid?: string | undefined; file: string },
  baseDir: string,
  use: 'signing' | 'escrow',
): Promise<GatewaySigningKey | GatewayEscrowKey> {
  const file = resolve(baseDir, entry.file);
  const parsed = parsePrivateKey(readOwnerOnlyFile(file), file);
  if (entry.kid !== undefined && parsed.kid !== undefined && entry.kid !== parsed.kid) {
    throw gatewayKeyError(`${file}: the configured kid "${entry.kid}" differs from the JWK's kid "${parsed.kid}"`);
  }
  const kid = entry.kid ?? parsed.kid;
  return use === 'signing' ? importSigningKey(parsed.key, kid, file) : importEscrowKey(parsed.key, kid, file);
}

function byKid<T extends { kid: string }>(keys: T[], use: string): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const key of keys) {
    if (map.has(key.kid)) throw gatewayKeyError(`two ${use} keys have the kid "${key.kid}"`);
    map.set(key.kid, key);
  }
  return map;
}
