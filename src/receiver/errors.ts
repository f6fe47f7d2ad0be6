/**
 * Why a sealed message was refused. The code is stable (scripts and receipts may branch on it);
 * the message is for people. `part` names the part at fault: `container`, `metadata`, `data` or
 * `attachment:<id>`.
 */
export type OpenFailureCode =
  /** Not JSON, or not a container of the expected shape. */
  | 'malformed-container'
  /** `format` is not `amtsbote-sealed/1`. */
  | 'unsupported-format'
  /** A part is not a well-formed compact JWE/JWS (segments, base64url, header JSON). */
  | 'malformed-part'
  /** A JOSE header has a value the format does not allow (alg, enc, zip, typ, cty, embedded keys, crit). */
  | 'unexpected-header'
  /** The JWE names a `kid` none of the receiver's keys has. */
  | 'no-recipient-key'
  /** Decryption failed: another key, or a changed encrypted key, IV, ciphertext, tag or header. */
  | 'decryption-failed'
  /** The JWS `alg` is not PS512 (`none` included). */
  | 'algorithm-not-allowed'
  /** The JWS `kid` is not in the gateway keys the receiver pinned (retired, unpublished or foreign). */
  | 'unknown-signing-key'
  /** The gateway's signature does not verify. */
  | 'signature-invalid'
  /** The signed metadata does not have the format's shape. */
  | 'malformed-metadata'
  /** The container's ids differ from the signed metadata's, or the message is for another destination. */
  | 'message-mismatch'
  /** The container's attachments are not exactly the ones the signed metadata lists. */
  | 'attachment-set-mismatch'
  /** A part's JWE `cty` differs from the media type the signed metadata gives it. */
  | 'content-type-mismatch'
  /** A part's SHA-512 or size differs from the signed metadata. */
  | 'hash-mismatch';

export class OpenSealedMessageError extends Error {
  readonly code: OpenFailureCode;
  readonly part: string;

  constructor(code: OpenFailureCode, part: string, detail: string, options?: { cause?: unknown }) {
    super(`${code} (${part}): ${detail}`, options);
    this.name = 'OpenSealedMessageError';
    this.code = code;
    this.part = part;
  }
}

export function isOpenSealedMessageError(value: unknown): value is OpenSealedMessageError {
  return value instanceof OpenSealedMessageError;
}

/**
 * Why a step of the kit other than opening failed: its keys, the pinned gateway JWKS, the output folder.
 * Stable like OpenFailureCode; the message is for people and names the file or URL at fault.
 */
export type ReceiverFailureCode =
  /** `receiver keys init` would overwrite key files that exist. */
  | 'key-files-exist'
  /** The kid prefix is not 1–40 letters, digits, dots, hyphens or underscores. */
  | 'invalid-kid-prefix'
  /** A private key file may be read by group or others. */
  | 'key-file-exposed'
  /** A key file does not hold a JWK object. */
  | 'not-a-jwk'
  /** The signing JWK for a receipt has no `kid`. */
  | 'key-without-kid'
  /** The gateway JWKS URL answered with an error status. */
  | 'jwks-unreachable'
  /** The gateway JWKS is not JSON, or has no `keys` array. */
  | 'jwks-malformed'
  /** The folder to write an opened message into is not empty. */
  | 'output-not-empty'
  /** An attachment id would not make a safe folder name. */
  | 'unsafe-attachment-id'
  /** The portal's reply key is not a public RSA ≥ 4096 key for RSA-OAEP-256 with a kid. */
  | 'invalid-reply-key'
  /** A reply cannot be built from what was given (kind, media type, schema URI, attachment ids, file names). */
  | 'invalid-reply-input';

export class ReceiverError extends Error {
  readonly code: ReceiverFailureCode;

  constructor(code: ReceiverFailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReceiverError';
    this.code = code;
  }
}

export function isReceiverError(value: unknown): value is ReceiverError {
  return value instanceof ReceiverError;
}
