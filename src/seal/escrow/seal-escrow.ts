import { encryptCompactJweToBuffer } from '../lib/compact-jwe.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_FORMAT, type EscrowSubmission } from './types.js';

/**
 * Seals the escrow copy: one compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty, sub}` to the
 * gateway's escrow key. `sub` (the submission id, authenticated as part of the protected header) binds
 * the copy to its submission, so copies cannot be swapped between submissions unnoticed. The plaintext
 * (`amtsbote-escrow/2`, see types.ts) goes to the cipher piece by piece and never exists whole (issue 19, F4).
 */
export function sealEscrow(submission: EscrowSubmission, key: GatewayEscrowKey): Promise<string> {
  return sealEscrowToBytes(submission, key).then((jwe) => jwe.toString('latin1'));
}

/**
 * The escrow copy as the ASCII bytes of its compact JWE, written straight into one buffer: what intake
 * stores, so the 23 MB copy of a submission with two 8.8 MB attachments is never also a string (issue 19, F4).
 */
export function sealEscrowToBytes(
  submission: EscrowSubmission,
  key: Pick<GatewayEscrowKey, 'kid' | 'publicKey'>,
): Promise<Buffer> {
  return Promise.resolve().then(() =>
    encryptCompactJweToBuffer(
      escrowPlaintextPieces(submission),
      { kid: key.kid, cty: ESCROW_CTY, sub: submission.submissionId },
      key.publicKey,
    ),
  );
}

/** The plaintext as bytes, whole (what `sealEscrow` encrypts piece by piece). */
export function escrowPlaintext(submission: EscrowSubmission): Buffer {
  const { length, pieces } = escrowPlaintextPieces(submission);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of pieces) at += p.copy(out, at);
  return out;
}

/**
 * The plaintext (`amtsbote-escrow/2`) in pieces, with its length known in advance: the copy's JSON with
 * each attachment described by id, file name, media type, purpose and size, a line feed (JSON.stringify
 * writes none), then the attachments' bytes, in that order — the attachments themselves, never a copy.
 */
export function escrowPlaintextPieces(submission: EscrowSubmission): { length: number; pieces: Buffer[] } {
  const head = JSON.stringify({
    format: ESCROW_FORMAT,
    submissionId: submission.submissionId,
    receivedAt: submission.receivedAt,
    envelope: submission.envelope,
    data: submission.data,
    attachments: submission.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      mediaType: a.mediaType,
      ...(a.purpose === undefined ? {} : { purpose: a.purpose }),
      size: a.content.length,
    })),
  });
  const pieces = [Buffer.from(`${head}\n`, 'utf8'), ...submission.attachments.map((a) => a.content)];
  return { length: pieces.reduce((sum, p) => sum + p.length, 0), pieces };
}
