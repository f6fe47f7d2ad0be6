import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, CompactSign } from 'jose';
import { sha512 } from '../../lib/sha512.js';
import { JWS_ALG, JWS_CTY, JWS_TYP } from '../../receiver/format.js';
import type { CountersignaturePayload, DestinationKeyJwk } from '../../receiver/reply-format.js';
import type { GatewaySigningKey } from '../gateway-keys/types.js';

export interface CountersignInput {
  replyId: string;
  submissionId: string;
  /** The reply's place among the submission's replies, from 1. */
  seq: number;
  destinationId: string;
  receivedAt: Date;
  /** The destination's compact JWS, exactly as posted. */
  signedMetadata: string;
  /** The destination's receipt key that verified it. */
  destinationKey: { kid: string; key: KeyObject };
}

export interface Countersignature {
  countersignature: string;
  payload: CountersignaturePayload;
}

/**
 * The gateway's countersignature over a reply it forwards: a compact JWS `{alg: PS512, kid, typ: JOSE, cty:
 * application/json}` by its active signing key, over the reply's ids, the SHA-512 of the destination's signed
 * metadata, and the destination's public receipt key with its RFC 7638 thumbprint. The portal pins only the
 * gateway's JWKS; this signature tells it which key the authority's own signature must verify with.
 */
export async function countersignReply(input: CountersignInput, key: GatewaySigningKey): Promise<Countersignature> {
  const destinationKey = publicJwk(input.destinationKey);
  const payload: CountersignaturePayload = {
    replyId: input.replyId,
    submissionId: input.submissionId,
    seq: input.seq,
    destinationId: input.destinationId,
    receivedAt: input.receivedAt.toISOString(),
    signedMetadataSha512: sha512(Buffer.from(input.signedMetadata, 'ascii')),
    destinationKey,
    destinationKeyThumbprint: await calculateJwkThumbprint(destinationKey, 'sha256'),
  };
  const countersignature = await new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8'))
    .setProtectedHeader({ alg: JWS_ALG, kid: key.kid, typ: JWS_TYP, cty: JWS_CTY })
    .sign(key.privateKey);
  return { countersignature, payload };
}

/** Only the RSA public members and the kid: what the thumbprint covers, and nothing private by mistake. */
function publicJwk(destinationKey: { kid: string; key: KeyObject }): DestinationKeyJwk {
  const jwk = destinationKey.key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string')
    throw new TypeError(`the destination key "${destinationKey.kid}" is not an RSA key`);
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: destinationKey.kid };
}
