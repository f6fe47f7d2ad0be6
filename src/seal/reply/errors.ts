import { AmtsboteError, type FieldError } from '../../lib/errors.js';

/**
 * Why the gateway refuses a posted reply: the problem document's `reason` (type `invalid-reply`). Stable, like
 * the receiver kit's codes; docs/sealed-reply.md lists them. The last four are the gateway's own checks
 * (store, limits), named here so that every refusal of a reply speaks one vocabulary.
 */
export type ReplyRefusalReason =
  /** The body is not an `amtsbote-reply/1` object of the format's shape. */
  | 'malformed'
  /** A part is not a well-formed compact JWS/JWE (segments, base64url, header JSON). */
  | 'malformed-part'
  /** A JOSE header has a value the format does not allow (typ, cty, alg/enc of a JWE, embedded keys, crit, zip). */
  | 'unexpected-header'
  /** The metadata's JWS `alg` is not PS512. */
  | 'algorithm-not-allowed'
  /** The JWS `kid` is not the destination's registered receipt key. */
  | 'unknown-signing-key'
  /** The destination's signature does not verify. */
  | 'signature-invalid'
  /** The signed payload is not the format's metadata (or lists an attachment twice). */
  | 'malformed-metadata'
  /** `encryptionKid` or a JWE's `kid` is not a current reply key of the submission (or they differ). */
  | 'unknown-encryption-key'
  /** A JWE's `cty` is not the media type the signed metadata gives its part. */
  | 'content-type-mismatch'
  /** The posted attachments are not exactly the ones the signed metadata lists. */
  | 'attachment-set-mismatch'
  /** A part's `jweSha512` differs from the SHA-512 of its compact JWE text. */
  | 'jwe-hash-mismatch'
  /** The signed `destinationId` is no destination of this gateway. */
  | 'unknown-destination'
  /** The destination never received this message of this submission. */
  | 'not-received'
  /** The submission has no reply key: it cannot be answered through the gateway. */
  | 'unanswerable'
  /** A part or the whole reply is larger than the gateway's limits. */
  | 'too-large';

/** A refused reply: problem `invalid-reply` with its reason and, where known, a pointer into the posted body. */
export function replyError(reason: ReplyRefusalReason, detail: string, pointer?: string): AmtsboteError {
  const errors: FieldError[] = pointer === undefined ? [] : [{ pointer, detail, code: reason }];
  return new AmtsboteError('invalid-reply', detail, errors, { reason });
}

export function isReplyError(
  error: unknown,
): error is AmtsboteError & { code: 'invalid-reply'; extensions: { reason: ReplyRefusalReason } } {
  return error instanceof AmtsboteError && error.code === 'invalid-reply';
}
