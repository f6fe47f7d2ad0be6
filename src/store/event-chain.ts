import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import type { NewEvent } from './types.js';

/** The first event of a submission chains to this. */
export const genesisHash = '0'.repeat(64);

/**
 * Hash of one event: SHA-256 over the previous hash and the RFC 8785 form of the event, so that
 * changing, removing or reordering any event breaks every hash after it.
 */
export function eventHash(prevHash: string, submissionId: string, seq: number, event: NewEvent): string {
  const body = canonicalize({ submissionId, seq, at: event.at, type: event.type, data: event.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
