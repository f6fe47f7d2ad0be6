/**
 * Why a reply was refused by the portal kit. The code is stable (portals may branch on it and show it in a
 * confirmation's reason); the message is for people. `part` names the part at fault: `reply`,
 * `countersignature`, `metadata`, `data` or `attachment:<id>`. docs/sealed-reply.md lists the codes by step.
 */
export type OpenReplyFailureCode =
  /** Not JSON, or not a fetched reply of the format's shape. */
  | 'malformed-reply'
  /** `format` is not `amtsbote-reply/1`. */
  | 'unsupported-format'
  /** A part is not a well-formed compact JWS/JWE (segments, base64url, header JSON). */
  | 'malformed-part'
  /** A JOSE header has a value the format does not allow (typ, cty, alg/enc of a JWE, embedded keys, crit, zip). */
  | 'unexpected-header'
  /** A JWS `alg` is not PS512 (`none` included). */
  | 'algorithm-not-allowed'
  /**
   * The countersignature's `kid` is not among the pinned gateway keys, or the metadata's `kid` is not the
   * countersigned destination key's.
   */
  | 'unknown-signing-key'
  /** The gateway's countersignature or the destination's signature does not verify. */
  | 'signature-invalid'
  /** The countersigned payload does not have the format's shape, or its destination key cannot be used. */
  | 'malformed-countersignature'
  /** The SHA-512 of `signedMetadata` is not the countersigned `signedMetadataSha512`. */
  | 'signed-metadata-mismatch'
  /** The countersigned `destinationKeyThumbprint` is not the RFC 7638 thumbprint of `destinationKey`. */
  | 'thumbprint-mismatch'
  /** The destination's signed payload does not have the format's shape. */
  | 'malformed-metadata'
  /** Ids (replyId, submissionId, seq, destinationId, kind) differ between reply, countersignature and metadata. */
  | 'reply-mismatch'
  /** The reply's attachments are not exactly the ones the signed metadata lists. */
  | 'attachment-set-mismatch'
  /** The JWE names a `kid` none of the portal's reply keys has, or not the signed `encryptionKid`. */
  | 'no-recipient-key'
  /** Decryption failed: another key, or a changed encrypted key, IV, ciphertext, tag or header. */
  | 'decryption-failed'
  /** A part's JWE `cty` differs from the media type the signed metadata gives it. */
  | 'content-type-mismatch'
  /** A part's SHA-512 (of its JWE text or of its plain bytes) differs from the signed metadata. */
  | 'hash-mismatch';

export class OpenReplyError extends Error {
  readonly code: OpenReplyFailureCode;
  readonly part: string;

  constructor(code: OpenReplyFailureCode, part: string, detail: string, options?: { cause?: unknown }) {
    super(`${code} (${part}): ${detail}`, options);
    this.name = 'OpenReplyError';
    this.code = code;
    this.part = part;
  }
}

export function isOpenReplyError(value: unknown): value is OpenReplyError {
  return value instanceof OpenReplyError;
}
