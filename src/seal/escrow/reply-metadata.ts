import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { AmtsboteError } from '../../lib/errors.js';
import { JWE_ALG, JWE_ENC } from '../../receiver/format.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { encryptCompactJweToBuffer } from '../lib/compact-jwe.js';

/** JWE `cty` of a reply's signed metadata as the store keeps it. */
export const REPLY_METADATA_CTY = 'application/vnd.amtsbote.reply-metadata';

/**
 * Seals a reply's signed metadata (a compact JWS, its payload readable base64url, with the attachments' file
 * names) to the gateway's escrow key for the store: no plain personal data at rest. `sub` (the reply id, in the
 * authenticated protected header) binds it to its reply, so sealed metadata cannot be swapped between replies.
 * The portal still gets the JWS verbatim, opened when it fetches the reply.
 */
export function sealReplyMetadata(signedMetadata: string, replyId: string, key: GatewayEscrowKey): string {
  const plaintext = Buffer.from(signedMetadata, 'utf8');
  return encryptCompactJweToBuffer(
    { length: plaintext.length, pieces: [plaintext] },
    { kid: key.kid, cty: REPLY_METADATA_CTY, sub: replyId },
    key.publicKey,
  ).toString('latin1');
}

/**
 * The signed metadata back from what the store keeps, with the escrow key its header names. Without that key
 * (its file missing on this instance) the reply cannot be handed out: `invalid-config`.
 */
export async function openReplyMetadata(
  sealed: string,
  keys: ReadonlyMap<string, GatewayEscrowKey>,
  replyId: string,
): Promise<string> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(sealed);
  } catch (error) {
    throw metadataError(`the stored reply metadata is not a compact JWE: ${(error as Error).message}`);
  }
  if (header.cty !== REPLY_METADATA_CTY || typeof header.kid !== 'string' || header.sub !== replyId)
    throw metadataError('the stored reply metadata lacks its cty or kid, or belongs to another reply');
  const key = keys.get(header.kid);
  if (!key)
    throw new AmtsboteError(
      'invalid-config',
      `the escrow key "${header.kid}" is not configured on this instance (shredded, or its file is missing)`,
      [],
      { reason: 'escrow-key-missing', kid: header.kid },
    );
  try {
    const { plaintext } = await compactDecrypt(sealed, key.privateKey, {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
    });
    return Buffer.from(plaintext).toString('utf8');
  } catch (error) {
    throw metadataError(`the stored reply metadata cannot be decrypted: ${(error as Error).message}`);
  }
}

function metadataError(detail: string): AmtsboteError {
  return new AmtsboteError('internal', detail, [], { reason: 'escrow-invalid' });
}
