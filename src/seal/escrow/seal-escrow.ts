import { CompactEncrypt } from 'jose';
import { JWE_ALG, JWE_ENC } from '../../receiver/format.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_FORMAT, type EscrowSubmission } from './types.js';

/**
 * Seals the escrow copy: one compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty, sub}` to the
 * gateway's escrow key. `sub` (the submission id, authenticated as part of the protected header) binds
 * the copy to its submission, so copies cannot be swapped between submissions unnoticed.
 */
export async function sealEscrow(submission: EscrowSubmission, key: GatewayEscrowKey): Promise<string> {
  const plaintext = JSON.stringify({
    format: ESCROW_FORMAT,
    submissionId: submission.submissionId,
    receivedAt: submission.receivedAt,
    envelope: submission.envelope,
    data: submission.data,
    attachments: submission.attachments.map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType, content: a.content.toString('base64') })),
  });
  return new CompactEncrypt(Buffer.from(plaintext, 'utf8'))
    .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, kid: key.kid, cty: ESCROW_CTY, sub: submission.submissionId })
    .encrypt(key.publicKey);
}
