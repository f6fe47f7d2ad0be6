import { AmtsboteError, ConfigError } from '../../lib/errors.js';

/**
 * Why a recipient key (a destination's encryption or receipt key) is refused. Stable, for operators and
 * the problem document's `reason` member.
 */
export type RecipientKeyReason =
  | 'not-rsa'
  | 'private-members'
  | 'no-kid'
  | 'modulus-too-small'
  | 'wrong-alg'
  | 'wrong-use'
  | 'missing-key-op'
  | 'unreadable'
  | 'x5c-missing'
  | 'x5c-invalid'
  | 'x5c-key-mismatch'
  | 'x5c-untrusted'
  | 'x5c-not-valid-now'
  | 'x5c-not-a-ca'
  | 'kid-not-found'
  | 'ambiguous-key';

/** A recipient key the policy refuses. */
export function recipientKeyError(reason: RecipientKeyReason, detail: string, kid?: string): AmtsboteError {
  return new AmtsboteError('invalid-recipient-key', detail, [], { reason, ...(kid === undefined ? {} : { kid }) });
}

export function isRecipientKeyError(
  error: unknown,
): error is AmtsboteError & { extensions: { reason: RecipientKeyReason } } {
  return error instanceof AmtsboteError && typeof error.extensions.reason === 'string';
}

/** A gateway key file or setting that cannot be used. */
export function gatewayKeyError(detail: string): ConfigError {
  return new ConfigError(detail);
}
