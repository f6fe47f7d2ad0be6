import type { OutboundAddressRefused } from '../guarded-agent.js';
import { type SystemErrorCode, type UndiciCode, isSystemErrorCode, isUndiciCode } from '../types.js';

/** The requests of a FIT-Connect delivery and its event-log poll, as they appear in reasons. */
export type FitConnectStep = 'token' | 'destination' | 'create' | 'attachment' | 'submit' | 'events';

/** Why an attempt ended without an answer to read: what was thrown, as a code. */
export type AttemptErrorReason =
  | 'timeout'
  | 'fitconnect-unreadable-answer'
  | 'fitconnect-answer-too-large'
  | OutboundAddressRefused['code']
  | UndiciCode
  | SystemErrorCode
  | 'fitconnect-attempt-error';

/** Why a FIT-Connect delivery did not reach the delivery service (design.md: a typed reason, never a message). */
export type FitConnectReason =
  | `fitconnect-${FitConnectStep}-http-${number}`
  | 'fitconnect-client-secret-unavailable'
  | 'fitconnect-token-refused'
  | 'fitconnect-token-unreadable'
  | 'fitconnect-destination-inactive'
  | 'fitconnect-destination-unreadable'
  | 'fitconnect-container-invalid'
  | 'fitconnect-create-unreadable'
  | 'fitconnect-submission-gone'
  | 'fitconnect-events-unreadable'
  | AttemptErrorReason;

/**
 * The reason for an attempt (or poll) that threw: network errors and timeouts (undici's or the system's
 * code), unreadable or oversized answers, a refused address. Anything else — a lost lease while saving
 * progress — is `fitconnect-attempt-error`; the persisted progress lets the next attempt resume either way.
 */
export function attemptErrorReason(error: unknown): AttemptErrorReason {
  if ((error as Error | undefined)?.name === 'AbortError') return 'timeout';
  if (error instanceof SyntaxError) return 'fitconnect-unreadable-answer';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (
    code === 'fitconnect-answer-too-large' ||
    code === 'AMTSBOTE_OUTBOUND_ADDRESS_REFUSED' ||
    isUndiciCode(code) ||
    isSystemErrorCode(code)
  )
    return code;
  return 'fitconnect-attempt-error';
}
