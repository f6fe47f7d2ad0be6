import type { KeyObject } from 'node:crypto';
import { AmtsboteError } from '../../lib/errors.js';
import type { KeySource } from '../../seal/index.js';
import { acceptEvent, rejectEvent } from '../../seal/receipt/set-claims.js';
import { peekReceipt, receiptDecision, verifySet } from '../../seal/receipt/verify-set.js';
import type { PolledReceipt, PollResult, PollUnavailable } from '../types.js';
import { type Api, isOutcome } from './client.js';
import { type FitConnectReason, attemptErrorReason } from './reasons.js';
import { readState } from './state.js';

/** FIT-Connect pages the event log by at most 500 entries. */
const pageSize = 500;

export interface EventKeys {
  /** The recipient's (subscriber's) signature key, by kid: it signs accept and reject. */
  recipient(kid: string): Promise<KeyObject>;
  /** The delivery service's own key, by kid, from its JWKS. */
  deliveryService(kid: string): Promise<KeyObject>;
}

/**
 * Reads the new entries of the case's event log and verifies each SET (header, PS512 signature with the
 * issuer's key, claims, the submission and case it names): the recipient's `accept-submission` or
 * `reject-submission` — or the delivery service's own reject (its 14-day rule) — becomes the receipt;
 * `submit-submission` and the service's other events confirm what the delivery already recorded.
 * An entry that fails verification for good is skipped and reported (`invalid`). An entry that fails for a
 * reason a key refresh or a restart could cure — its key cannot be had yet — is never skipped: the read
 * position stops before it, it is reported (`held`) and tried again at the next poll. A log that cannot be
 * read is `unavailable`, with the reason; the next poll tries again from the same position.
 */
export async function pollEventLog(input: {
  api: Api;
  state: unknown;
  destinationId: string;
  keys: EventKeys;
  signal: AbortSignal;
  now: () => Date;
}): Promise<PollResult | PollUnavailable<FitConnectReason>> {
  const state = readState(input.state);
  if (!state.submitted || !state.caseId || !state.submissionId) return { kind: 'polled', invalid: [] };
  const read = await readEventLog(input.api, state.caseId, state.eventsRead, input.signal);
  if (!Array.isArray(read)) return read;

  const invalid: PollResult['invalid'] = [];
  let receipt: PolledReceipt | undefined;
  let held: PollResult['held'];
  let passed = 0;
  for (const entry of read) {
    if (typeof entry !== 'string') invalid.push({ reason: 'malformed' });
    else {
      const verified = await verifyEntry(entry, { ...input, submissionId: state.submissionId, caseId: state.caseId });
      if (verified.kind === 'held') {
        held = { reason: verified.reason, issuer: issuerOf(entry) };
        break;
      }
      if (verified.kind === 'invalid') invalid.push({ reason: verified.reason, issuer: issuerOf(entry) });
      else receipt ??= verified.receipt;
    }
    passed++;
  }
  return {
    kind: 'polled',
    state: { ...state, eventsRead: state.eventsRead + passed },
    receipt,
    invalid,
    ...(held ? { held } : {}),
  };
}

/** One page of the case's event log from `offset`, or why it could not be read. */
async function readEventLog(
  api: Api,
  caseId: string,
  offset: number,
  signal: AbortSignal,
): Promise<unknown[] | PollUnavailable<FitConnectReason>> {
  try {
    const page = await api('GET', `/cases/${caseId}/events?offset=${offset}&limit=${pageSize}`, signal);
    // The API answers with an outcome only when it got no token; that outcome is always a retry.
    if (isOutcome(page))
      return {
        kind: 'unavailable',
        reason: page.kind === 'retry' || page.kind === 'failed' ? page.reason : 'fitconnect-events-unreadable',
      };
    if (page.status !== 200) return { kind: 'unavailable', reason: `fitconnect-events-http-${page.status}` };
    const log = (JSON.parse(page.text) as { eventLog?: unknown }).eventLog;
    return Array.isArray(log) ? log : { kind: 'unavailable', reason: 'fitconnect-events-unreadable' };
  } catch (error) {
    const reason = attemptErrorReason(error);
    return {
      kind: 'unavailable',
      reason: reason === 'fitconnect-unreadable-answer' ? 'fitconnect-events-unreadable' : reason,
    };
  }
}

/**
 * A final receipt, a verified event that decides nothing (`receipt` undefined), why the entry is skipped for
 * good (`invalid`), or why it cannot be verified yet (`held`).
 */
type VerifiedEntry =
  | { kind: 'verified'; receipt: PolledReceipt | undefined }
  | { kind: 'invalid'; reason: string }
  | { kind: 'held'; reason: HeldReason };

/**
 * Why an entry cannot be verified yet. Each is cured without the entry changing: a key the destination or the
 * delivery service publishes later (a JWKS refresh), a key set that answers again, an operator's key
 * configuration and a reload or restart, or the fault behind an unexpected error.
 */
export type HeldReason = 'unknown-key' | 'key-refused' | 'keys-unavailable' | 'verification-error';

async function verifyEntry(
  compact: string,
  ctx: { destinationId: string; keys: EventKeys; now: () => Date; submissionId: string; caseId: string },
): Promise<VerifiedEntry> {
  try {
    const { iss, kid } = peekReceipt(compact);
    const fromRecipient = iss === ctx.destinationId;
    let key: KeyObject;
    try {
      key = await (fromRecipient ? ctx.keys.recipient(kid) : ctx.keys.deliveryService(kid));
    } catch (error) {
      return { kind: 'held', reason: keyLookupFailure(error) };
    }
    // From here the key is known: whatever fails now fails with it, and no refresh changes that.
    const { claims, event, payload } = await verifySet(compact, key, {
      now: ctx.now(),
      maxAgeSeconds: 90 * 86_400,
      futureSkewSeconds: 300,
      // The delivery service's own entries may predate `$schema` (PROTOCOL.md §3.1: "checked when present").
      schemaOptional: !fromRecipient,
    });
    if (claims.sub !== `submission:${ctx.submissionId}` || claims.txn !== `case:${ctx.caseId}`)
      return { kind: 'invalid', reason: 'wrong-submission' };
    const final = event === rejectEvent || (fromRecipient && event === acceptEvent);
    return {
      kind: 'verified',
      receipt: final ? { jti: claims.jti, set: compact, ...receiptDecision(event, payload) } : undefined,
    };
  } catch (error) {
    // seal/receipt refuses an entry with an AmtsboteError whose `extensions.reason` names the check that failed.
    if (!(error instanceof AmtsboteError)) return { kind: 'held', reason: 'verification-error' };
    const reason = error.extensions.reason;
    return { kind: 'invalid', reason: typeof reason === 'string' ? reason : 'invalid' };
  }
}

/** Why the issuer's key could not be had; every one of these a refresh, a reload or a restart may cure. */
function keyLookupFailure(error: unknown): HeldReason {
  // A JWKS that cannot be fetched is `unavailable`; a key the policy refuses or a kid not in the set is
  // `invalid-recipient-key` (seal/lib/errors.ts).
  if (!(error instanceof AmtsboteError) || error.code !== 'invalid-recipient-key') return 'keys-unavailable';
  return error.extensions.reason === 'kid-not-found' ? 'unknown-key' : 'key-refused';
}

/** Who claims to have issued an entry, for the report (an id or URL, never key material). */
function issuerOf(compact: string): string | undefined {
  try {
    return peekReceipt(compact).iss.slice(0, 200);
  } catch {
    return undefined;
  }
}

/** Key lookups for the event log: the destination's receipt key source and the delivery service's JWKS. */
export function eventKeys(
  resolver: { receiptKey(source: KeySource, kid?: string): Promise<{ key: KeyObject }> },
  sources: { recipient: KeySource; deliveryServiceJwksUrl: string },
): EventKeys {
  return {
    recipient: async (kid) => (await resolver.receiptKey(sources.recipient, kid)).key,
    deliveryService: async (kid) => (await resolver.receiptKey({ jwksUrl: sources.deliveryServiceJwksUrl }, kid)).key,
  };
}
