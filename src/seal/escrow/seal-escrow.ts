import { CompactEncrypt } from 'jose';
import { JWE_ALG, JWE_ENC } from '../../receiver/format.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_FORMAT, type EscrowAttachment, type EscrowSubmission } from './types.js';

/**
 * Seals the escrow copy: one compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty, sub}` to the
 * gateway's escrow key. `sub` (the submission id, authenticated as part of the protected header) binds
 * the copy to its submission, so copies cannot be swapped between submissions unnoticed.
 */
export async function sealEscrow(submission: EscrowSubmission, key: GatewayEscrowKey): Promise<string> {
  return new CompactEncrypt(escrowPlaintext(submission))
    .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, kid: key.kid, cty: ESCROW_CTY, sub: submission.submissionId })
    .encrypt(key.publicKey);
}

/** Multiple of 3, so that every piece but the last encodes to base64 without padding. */
const base64Piece = 3 * 16 * 1024;

/**
 * The plaintext JSON as UTF-8 bytes — the same text as `JSON.stringify` of the copy with each attachment's
 * content in base64 — written into one buffer, the attachments encoded piece by piece straight into it. Built
 * as a string, a 17 MB attachment would exist three more times while it is sealed (its base64 text, the JSON
 * text, the bytes of that text).
 */
export function escrowPlaintext(submission: EscrowSubmission): Buffer {
  const head = JSON.stringify({
    format: ESCROW_FORMAT,
    submissionId: submission.submissionId,
    receivedAt: submission.receivedAt,
    envelope: submission.envelope,
    data: submission.data,
    attachments: null,
  });
  // `attachments` is the last member: the text ends with `null}`, where the array goes.
  const before = head.slice(0, -'null}'.length);
  const openings = submission.attachments.map((a) => JSON.stringify({ id: a.id, filename: a.filename, mediaType: a.mediaType, ...(a.purpose === undefined ? {} : { purpose: a.purpose }) }).slice(0, -1) + ',"content":"');
  const size =
    Buffer.byteLength(before) + 1 +
    submission.attachments.reduce((sum, a, i) => sum + (i > 0 ? 1 : 0) + Buffer.byteLength(openings[i] ?? '') + base64Length(a) + 2, 0) +
    2;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(before);
  at += out.write('[', at);
  submission.attachments.forEach((a, i) => {
    if (i > 0) at += out.write(',', at);
    at += out.write(openings[i] ?? '', at);
    for (let from = 0; from < a.content.length; from += base64Piece) {
      at += out.write(a.content.subarray(from, from + base64Piece).toString('base64'), at, 'latin1');
    }
    at += out.write('"}', at);
  });
  at += out.write(']}', at);
  return out.subarray(0, at);
}

function base64Length(a: EscrowAttachment): number {
  return 4 * Math.ceil(a.content.length / 3);
}
