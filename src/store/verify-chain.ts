import { eventHash, genesisHash } from './event-chain.js';
import type { StoredEvent } from './types.js';

/** Checks a submission's event log: consecutive seq from 1, each event chained to the one before. */
export function verifyChain(submissionId: string, events: readonly StoredEvent[]): { ok: true } | { ok: false; seq: number; problem: string } {
  let prev = genesisHash;
  for (const [i, e] of events.entries()) {
    if (e.seq !== i + 1) return { ok: false, seq: e.seq, problem: `expected seq ${i + 1}` };
    if (e.prevHash !== prev) return { ok: false, seq: e.seq, problem: 'does not chain to the event before' };
    if (eventHash(prev, submissionId, e.seq, e) !== e.hash) return { ok: false, seq: e.seq, problem: 'its hash does not match its content' };
    prev = e.hash;
  }
  return { ok: true };
}
