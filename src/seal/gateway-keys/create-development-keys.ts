import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayKeyError } from '../lib/errors.js';
import { writeNewGatewayKey } from './write-new-key.js';

/** Where development keys live: `<dataDir>/keys/`, beside the HMAC secret. */
export function developmentKeyFiles(dataDir: string): { dir: string; signing: string; escrow: string } {
  const dir = join(dataDir, 'keys');
  return {
    dir,
    signing: join(dir, 'gateway-signing.private-jwk.json'),
    escrow: join(dir, 'gateway-escrow.private-jwk.json'),
  };
}

/**
 * Creates the development signing and escrow key pairs (RSA-4096) as owner-only JWK files in
 * `<dataDir>/keys/`, unless they exist. Only for SQLite: on PostgreSQL several instances share the
 * store, and keys made by one instance would be missing on the others — there keys are files named in
 * gateway.yaml.
 */
export async function createDevelopmentKeys(
  dataDir: string,
  storeKind: string,
): Promise<{ created: boolean; signing: string; escrow: string }> {
  if (storeKind !== 'sqlite') {
    throw gatewayKeyError(
      `no gateway keys configured: with the ${storeKind} store every instance needs the same key files — name them under "keys:" in gateway.yaml ` +
        '(signing: [{kid, file}], escrow: [{kid, file}]); keys are created on first start only for development on SQLite',
    );
  }
  const files = developmentKeyFiles(dataDir);
  const missing = [files.signing, files.escrow].filter((f) => !existsSync(f));
  if (missing.length === 0) return { created: false, signing: files.signing, escrow: files.escrow };
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  // Another process of the same data dir may be faster: its key is then the one to use.
  await Promise.all(
    missing.map((file) =>
      writeNewGatewayKey(file, file === files.signing ? 'signing' : 'escrow', {
        kidPrefix: file === files.signing ? 'dev-sig' : 'dev-escrow',
        existing: 'keep',
      }),
    ),
  );
  return { created: true, signing: files.signing, escrow: files.escrow };
}
