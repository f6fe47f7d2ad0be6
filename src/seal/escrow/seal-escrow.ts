import { encryptCompactJweToBuffer } from '../lib/compact-jwe.js';
import type { GatewayEscrowKey } from '../gateway-keys/types.js';
import { ESCROW_CTY, ESCROW_FORMAT, type EscrowAttachment, type EscrowSubmission } from './types.js';

/**
 * Seals the escrow copy: one compact JWE `{alg: RSA-OAEP-256, enc: A256GCM, kid, cty, sub}` to the
 * gateway's escrow key. `sub` (the submission id, authenticated as part of the protected header) binds
 * the copy to its submission, so copies cannot be swapped between submissions unnoticed. The plaintext
 * goes to the cipher piece by piece and never exists whole (issue 19, F4).
 */
export function sealEscrow(submission: EscrowSubmission, key: GatewayEscrowKey): Promise<string> {
  return sealEscrowToBytes(submission, key).then((jwe) => jwe.toString('latin1'));
}

/**
 * The escrow copy as the ASCII bytes of its compact JWE, written straight into one buffer: what intake
 * stores, so the 31 MB copy of a submission with two 8.8 MB attachments is never also a string (issue 19, F4).
 */
export function sealEscrowToBytes(submission: EscrowSubmission, key: GatewayEscrowKey): Promise<Buffer> {
  return Promise.resolve().then(() => encryptCompactJweToBuffer(escrowPlaintextPieces(submission), { kid: key.kid, cty: ESCROW_CTY, sub: submission.submissionId }, key.publicKey));
}

/** Multiple of 3, so that every piece but the last encodes to base64 without padding. */
const base64Piece = 3 * 16 * 1024;

/** The plaintext JSON as UTF-8 bytes, whole (what `sealEscrow` encrypts piece by piece). */
export function escrowPlaintext(submission: EscrowSubmission): Buffer {
  const { length, pieces } = escrowPlaintextPieces(submission);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of pieces) at += p.copy(out, at);
  return out;
}

/**
 * The plaintext JSON as UTF-8 bytes in pieces, with its length known in advance — the same text as
 * `JSON.stringify` of the copy with each attachment's content in base64, the attachments encoded piece by
 * piece as they are read. Built as a string, a 17 MB attachment would exist three more times while it is
 * sealed (its base64 text, the JSON text, the bytes of that text).
 */
export function escrowPlaintextPieces(submission: EscrowSubmission): { length: number; pieces: Iterable<Buffer> } {
  const head = JSON.stringify({
    format: ESCROW_FORMAT,
    submissionId: submission.submissionId,
    receivedAt: submission.receivedAt,
    envelope: submission.envelope,
    data: submission.data,
    attachments: null,
  });
  // `attachments` is the last member: the text ends with `null}`, where the array goes.
  const before = Buffer.from(`${head.slice(0, -'null}'.length)}[`, 'utf8');
  const openings = submission.attachments.map((a, i) => Buffer.from(`${i > 0 ? ',' : ''}${JSON.stringify({ id: a.id, filename: a.filename, mediaType: a.mediaType, ...(a.purpose === undefined ? {} : { purpose: a.purpose }) }).slice(0, -1)},"content":"`, 'utf8'));
  const closing = Buffer.from('"}', 'latin1');
  const end = Buffer.from(']}', 'latin1');
  const length = before.length + submission.attachments.reduce((sum, a, i) => sum + (openings[i]?.length ?? 0) + base64Length(a) + closing.length, 0) + end.length;
  function* pieces(): Generator<Buffer> {
    yield before;
    for (const [i, a] of submission.attachments.entries()) {
      yield openings[i] ?? Buffer.alloc(0);
      for (let from = 0; from < a.content.length; from += base64Piece) {
        yield Buffer.from(a.content.subarray(from, from + base64Piece).toString('base64'), 'latin1');
      }
      yield closing;
    }
    yield end;
  }
  return { length, pieces: { [Symbol.iterator]: pieces } };
}

function base64Length(a: EscrowAttachment): number {
  return 4 * Math.ceil(a.content.length / 3);
}
