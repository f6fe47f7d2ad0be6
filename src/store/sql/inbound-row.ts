import type { InboundSubmissionTable } from '../schema.js';

/**
 * Where a picked-up FIT-Connect submission stands: `pending` (seen, to be checked and taken on), `waiting`
 * (valid, but no routing or no mapping yet: our configuration's fault, never rejected for it), `committed`
 * (the onward submission is stored; the accept SET is still to be posted), `accepted` or `rejected` (our SET
 * is in FIT-Connect's event log). The first three are open: a pick-up may take them.
 */
export const inboundStates = ['pending', 'waiting', 'committed', 'accepted', 'rejected'] as const;
export type InboundState = (typeof inboundStates)[number];
export const openInboundStates: readonly InboundState[] = ['pending', 'waiting', 'committed'];

export interface InboundSubmission {
  /** The FIT-Connect submission id. */
  id: string;
  destinationId: string;
  caseId: string;
  state: InboundState;
  /** Why it waits or was rejected (a reason code, never personal data). */
  reason: string | undefined;
  /** The gateway's own submission it became. */
  onwardSubmissionId: string | undefined;
  serviceKey: string | undefined;
  attempts: number;
  nextAttemptAt: string;
  firstSeenAt: string;
  /** FIT-Connect reminds the destination's owner of a submission not picked up after 3 days ... */
  remindAt: string;
  /** ... and rejects it itself after 14 days. */
  autoRejectAt: string;
  updatedAt: string;
}

export function inboundFromRow(r: InboundSubmissionTable): InboundSubmission {
  return {
    id: r.id,
    destinationId: r.destination_id,
    caseId: r.case_id,
    state: r.state as InboundState,
    reason: r.reason ?? undefined,
    onwardSubmissionId: r.onward_submission_id ?? undefined,
    serviceKey: r.service_key ?? undefined,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    firstSeenAt: r.first_seen_at,
    remindAt: r.remind_at,
    autoRejectAt: r.auto_reject_at,
    updatedAt: r.updated_at,
  };
}
