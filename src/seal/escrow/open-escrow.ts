import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { AmtsboteError } from '../../lib/errors.js';
import { isAttachmentPurpose, JWE_ALG, JWE_ENC } from '../../receiver/format.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_CTY_1, ESCROW_FORMAT, ESCROW_FORMAT_1, type EscrowSubmission } from './types.js';

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
  if (
    (header.cty !== ESCROW_CTY && header.cty !== ESCROW_CTY_1) ||
    typeof header.kid !== 'string' ||
    typeof header.sub !== 'string'
  ) {
    throw escrowError('the escrow copy lacks its cty, kid or sub');
  }
  if (options.expectedSubmissionId !== undefined && header.sub !== options.expectedSubmissionId) {
    throw escrowError(
      `the escrow copy belongs to the submission "${header.sub}", not "${options.expectedSubmissionId}"`,
    );
  }
  const key = keys.get(header.kid);
  if (!key) {
    throw new AmtsboteError(
      'invalid-config',
      `the escrow key "${header.kid}" is not configured on this instance (shredded, or its file is missing)`,
      [],
      {
        reason: 'escrow-key-missing',
        kid: header.kid,
      },
    );
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, key.privateKey, {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
    }));
  } catch (error) {
    throw escrowError(`the escrow copy cannot be decrypted: ${(error as Error).message}`);
  }
  const version2 = header.cty === ESCROW_CTY;
  const bytes = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  // Format 2: the JSON up to the first line feed, the attachments' bytes after it.
  const end = version2 ? bytes.indexOf(0x0a) : bytes.length;
  if (end < 0) throw escrowError('the escrow copy is not JSON');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', 0, end));
  } catch {
    throw escrowError('the escrow copy is not JSON');
  }
  const value = parsed as {
    format?: unknown;
    submissionId?: unknown;
    receivedAt?: unknown;
    envelope?: EscrowSubmission['envelope'];
    data?: Record<string, unknown>;
    attachments?: {
      id: string;
      filename: string;
      mediaType: string;
      purpose?: unknown;
      content?: string;
      size?: number;
    }[];
  } | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    value.format !== (version2 ? ESCROW_FORMAT : ESCROW_FORMAT_1) ||
    value.submissionId !== header.sub ||
    typeof value.receivedAt !== 'string' ||
    !value.envelope ||
    !value.data ||
    !Array.isArray(value.attachments)
  ) {
    throw escrowError(
      `the escrow copy does not have the ${version2 ? ESCROW_FORMAT : ESCROW_FORMAT_1} shape or names another submission`,
    );
  }
  let at = end + 1;
  const contentOf = (a: { content?: string; size?: number }): Buffer => {
    if (!version2) return Buffer.from(a.content ?? '', 'base64');
    const size = a.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || at + size > bytes.length)
      throw escrowError("the escrow copy's attachments do not match their sizes");
    const content = bytes.subarray(at, at + size);
    at += size;
    return content;
  };
  const attachments = value.attachments.map((a) => ({
    id: a.id,
    filename: a.filename,
    mediaType: a.mediaType,
    // Copies written before purposes existed have none: those attachments count as `attachment`.
    ...(isAttachmentPurpose(a.purpose) ? { purpose: a.purpose } : {}),
    content: contentOf(a),
  }));
  if (version2 && at !== bytes.length) throw escrowError("the escrow copy's attachments do not match their sizes");
  return {
    submissionId: value.submissionId,
    receivedAt: value.receivedAt,
    envelope: value.envelope,
    data: value.data,
    attachments,
  };
}

function escrowError(detail: string): AmtsboteError {
  return new AmtsboteError('internal', detail, [], { reason: 'escrow-invalid' });
}
