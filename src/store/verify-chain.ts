import { eventHash, genesisHash } from './event-chain.js';
import { purgedEventType } from './sql/purge-event-logs.js';
import type { StoredEvent } from './types.js';

/**
 * Checks a submission's event log: consecutive seq from 1, each event chained to the one before. A log
 * whose older events were deleted by retention starts with a `log-purged` event instead: its seq and
 * previous hash are where the deleted part ended, and the chain is checked from there.
 */
export function verifyChain(
  submissionId: string,
  events: readonly StoredEvent[],
): { ok: true } | { ok: false; seq: number; problem: string } {
  const first = events[0];
  const anchored = first?.type === purgedEventType;
  let prev = anchored ? first.prevHash : genesisHash;
  const firstSeq = anchored ? first.seq : 1;
  for (const [i, e] of events.entries()) {
    if (e.seq !== firstSeq + i) return { ok: false, seq: e.seq, problem: `expected seq ${firstSeq + i}` };
    if (i > 0 && e.type === purgedEventType)
      return { ok: false, seq: e.seq, problem: 'a purge event may only start a log' };
    if (e.prevHash !== prev) return { ok: false, seq: e.seq, problem: 'does not chain to the event before' };
    if (eventHash(prev, submissionId, e.seq, e) !== e.hash)
      return { ok: false, seq: e.seq, problem: 'its hash does not match its content' };
    prev = e.hash;
  }
  return { ok: true };
}
