import type { KeyObject } from 'node:crypto';
import type { KeySource } from '../../seal/index.js';
import { acceptEvent, rejectEvent } from '../../seal/receipt/set-claims.js';
import { peekReceipt, receiptDecision, verifySet } from '../../seal/receipt/verify-set.js';
import type { PolledReceipt, PollResult } from '../types.js';
import { type Api, isOutcome } from './client.js';
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
 * `submit-submission` and the service's other events confirm what the delivery already recorded. Entries
 * that fail verification are ignored and reported; the read position moves past them.
 */
export async function pollEventLog(input: {
  api: Api;
  state: unknown;
  destinationId: string;
  keys: EventKeys;
  signal: AbortSignal;
  now: () => Date;
}): Promise<PollResult> {
  const state = readState(input.state);
  if (!state.submitted || !state.caseId || !state.submissionId) return { invalid: [] };
  const page = await input.api('GET', `/cases/${state.caseId}/events?offset=${state.eventsRead}&limit=${pageSize}`, input.signal);
  if (isOutcome(page)) throw new Error(page.kind === 'retry' || page.kind === 'failed' ? page.reason : 'fitconnect-events-unavailable');
  if (page.status !== 200) throw new Error(`fitconnect-events-http-${page.status}`);
  const log = (JSON.parse(page.text) as { eventLog?: unknown }).eventLog;
  if (!Array.isArray(log)) throw new Error('fitconnect-events-unreadable');

  const invalid: PollResult['invalid'] = [];
  let receipt: PolledReceipt | undefined;
  for (const entry of log) {
    if (typeof entry !== 'string') {
      invalid.push({ reason: 'malformed' });
      continue;
    }
    try {
      const found = await verifyEntry(entry, { ...input, submissionId: state.submissionId, caseId: state.caseId });
      receipt ??= found;
    } catch (error) {
      const reason = (error as { extensions?: { reason?: unknown } }).extensions?.reason;
      invalid.push({ reason: typeof reason === 'string' ? reason : 'invalid', issuer: issuerOf(entry) });
    }
  }
  return { state: { ...state, eventsRead: state.eventsRead + log.length }, receipt, invalid };
}

async function verifyEntry(
  compact: string,
  ctx: { destinationId: string; keys: EventKeys; now: () => Date; submissionId: string; caseId: string },
): Promise<PolledReceipt | undefined> {
  const { iss, kid } = peekReceipt(compact);
  const fromRecipient = iss === ctx.destinationId;
  let key: KeyObject;
  try {
    key = await (fromRecipient ? ctx.keys.recipient(kid) : ctx.keys.deliveryService(kid));
  } catch {
    throw Object.assign(new Error('unknown key'), { extensions: { reason: 'unknown-key' } });
  }
  const { claims, event, payload } = await verifySet(compact, key, { now: ctx.now(), maxAgeSeconds: 90 * 86_400, futureSkewSeconds: 300 });
  if (claims.sub !== `submission:${ctx.submissionId}` || claims.txn !== `case:${ctx.caseId}`) {
    throw Object.assign(new Error('other submission'), { extensions: { reason: 'wrong-submission' } });
  }
  const final = event === rejectEvent || (fromRecipient && event === acceptEvent);
  if (!final) return undefined;
  return { jti: claims.jti, set: compact, ...receiptDecision(event, payload) };
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
export function eventKeys(resolver: { receiptKey(source: KeySource, kid?: string): Promise<{ key: KeyObject }> }, sources: { recipient: KeySource; deliveryServiceJwksUrl: string }): EventKeys {
  return {
    recipient: async (kid) => (await resolver.receiptKey(sources.recipient, kid)).key,
    deliveryService: async (kid) => (await resolver.receiptKey({ jwksUrl: sources.deliveryServiceJwksUrl }, kid)).key,
  };
}
