import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { AmtsboteError } from '../../lib/errors.js';
import { isAttachmentPurpose, JWE_ALG, JWE_ENC } from '../../receiver/format.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_FORMAT, type EscrowSubmission } from './types.js';

/**
 * Opens an escrow copy with the escrow key its header names. Without that key (its period was
 * shredded, or this instance lacks the file) the copy cannot be opened: `invalid-config`.
 */
export async function openEscrow(
  jwe: string,
  keys: ReadonlyMap<string, GatewayEscrowKey>,
  options: { expectedSubmissionId?: string } = {},
): Promise<EscrowSubmission> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwe);
  } catch (error) {
    throw escrowError(`the escrow copy is not a compact JWE: ${(error as Error).message}`);
  }
  if (header.cty !== ESCROW_CTY || typeof header.kid !== 'string' || typeof header.sub !== 'string') {
    throw escrowError('the escrow copy lacks its cty, kid or sub');
  }
  if (options.expectedSubmissionId !== undefined && header.sub !== options.expectedSubmissionId) {
    throw escrowError(`the escrow copy belongs to the submission "${header.sub}", not "${options.expectedSubmissionId}"`);
  }
  const key = keys.get(header.kid);
  if (!key) {
    throw new AmtsboteError('invalid-config', `the escrow key "${header.kid}" is not configured on this instance (shredded, or its file is missing)`, [], {
      reason: 'escrow-key-missing',
      kid: header.kid,
    });
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, key.privateKey, { keyManagementAlgorithms: [JWE_ALG], contentEncryptionAlgorithms: [JWE_ENC] }));
  } catch (error) {
    throw escrowError(`the escrow copy cannot be decrypted: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(plaintext).toString('utf8'));
  } catch {
    throw escrowError('the escrow copy is not JSON');
  }
  const value = parsed as {
    format?: unknown;
    submissionId?: unknown;
    receivedAt?: unknown;
    envelope?: EscrowSubmission['envelope'];
    data?: Record<string, unknown>;
    attachments?: { id: string; filename: string; mediaType: string; purpose?: unknown; content: string }[];
  } | null;
  if (value === null || typeof value !== 'object' || value.format !== ESCROW_FORMAT || value.submissionId !== header.sub || typeof value.receivedAt !== 'string' || !value.envelope || !value.data || !Array.isArray(value.attachments)) {
    throw escrowError('the escrow copy does not have the amtsbote-escrow/1 shape or names another submission');
  }
  return {
    submissionId: value.submissionId,
    receivedAt: value.receivedAt,
    envelope: value.envelope,
    data: value.data,
    attachments: value.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      mediaType: a.mediaType,
      // Copies written before purposes existed have none: those attachments count as `attachment`.
      ...(isAttachmentPurpose(a.purpose) ? { purpose: a.purpose } : {}),
      content: Buffer.from(a.content, 'base64'),
    })),
  };
}

function escrowError(detail: string): AmtsboteError {
  return new AmtsboteError('internal', detail, [], { reason: 'escrow-invalid' });
}
