import { generateKeyPair, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { gatewayKeyError } from '../lib/errors.js';

const generate = promisify(generateKeyPair);

/** Where development keys live: `<dataDir>/keys/`, beside the HMAC secret. */
export function developmentKeyFiles(dataDir: string): { dir: string; signing: string; escrow: string } {
  const dir = join(dataDir, 'keys');
  return { dir, signing: join(dir, 'gateway-signing.private-jwk.json'), escrow: join(dir, 'gateway-escrow.private-jwk.json') };
}

/**
 * Creates the development signing and escrow key pairs (RSA-4096) as owner-only JWK files in
 * `<dataDir>/keys/`, unless they exist. Only for SQLite: on PostgreSQL several instances share the
 * store, and keys made by one instance would be missing on the others — there keys are files named in
 * gateway.yaml.
 */
export async function createDevelopmentKeys(dataDir: string, storeKind: string): Promise<{ created: boolean; signing: string; escrow: string }> {
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
  await Promise.all(
    missing.map(async (file) => {
      const isSigning = file === files.signing;
      const privateKey = await newRsaKey();
      const jwk = privateKey.export({ format: 'jwk' });
      const thumbprint = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' });
      const kid = `${isSigning ? 'dev-sig' : 'dev-escrow'}-${thumbprint.slice(0, 12)}`;
      const members = isSigning ? { kid, alg: 'PS512', use: 'sig' } : { kid, alg: 'RSA-OAEP-256', use: 'enc' };
      try {
        writeFileSync(file, JSON.stringify({ ...jwk, ...members }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process of the same data dir was faster: its key is the one to use.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }),
  );
  return { created: true, signing: files.signing, escrow: files.escrow };
}

async function newRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generate('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  return privateKey;
}
