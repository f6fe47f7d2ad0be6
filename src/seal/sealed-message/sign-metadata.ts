import { CompactSign } from 'jose';
import { JWS_ALG, JWS_CTY, JWS_TYP, type SealedMetadata } from '../../receiver/format.js';
import type { GatewaySigningKey } from '../gateway-keys/types.js';

/**
 * The one signature of a message: compact JWS `{alg: PS512, kid, typ: JOSE, cty: application/json}`
 * over the metadata JSON. Runs through WebCrypto, off the event loop.
 */
export async function signMetadata(metadata: SealedMetadata, key: GatewaySigningKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(metadata), 'utf8'))
    .setProtectedHeader({ alg: JWS_ALG, kid: key.kid, typ: JWS_TYP, cty: JWS_CTY })
    .sign(key.privateKey);
}
