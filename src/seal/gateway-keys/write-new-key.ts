import { generateKeyPair } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';

const generate = promisify(generateKeyPair);

export type GatewayKeyPurpose = 'signing' | 'escrow';

/**
 * Makes a new gateway key pair (RSA-4096) and writes its private JWK, owner-readable only, to `file` —
 * never over an existing file. The kid is `<prefix>-<first 12 characters of the RFC 7638 thumbprint>`;
 * `alg`/`use` say what the key is for (PS512 signing, RSA-OAEP-256 escrow). Returns the kid, or undefined
 * when the file exists already (`existing: 'keep'`: another process was faster, and its key is the one).
 */
export async function writeNewGatewayKey(
  file: string,
  purpose: GatewayKeyPurpose,
  options: { kidPrefix: string; existing: 'keep' | 'refuse' },
): Promise<string | undefined> {
  const { privateKey } = await generate('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' });
  const kid = `${options.kidPrefix}-${thumbprint.slice(0, 12)}`;
  const members = purpose === 'signing' ? { kid, alg: 'PS512', use: 'sig' } : { kid, alg: 'RSA-OAEP-256', use: 'enc' };
  try {
    writeFileSync(file, JSON.stringify({ ...jwk, ...members }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && options.existing === 'keep') return undefined;
    throw error;
  }
  return kid;
}
