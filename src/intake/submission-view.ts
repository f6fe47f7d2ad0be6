import type { TransportReferences } from '../adapters/transport-references.js';
import type { AttemptError, StoredEvent, SubmissionRecord } from '../store/types.js';

/** What a portal sees of its submission: status and metadata, never data. */
export interface AcceptedAnswer {
  submissionId: string;
  status: string;
  statusUrl: string;
  destinations: { destinationId: string; messageId: string; status: string }[];
}

export function acceptedAnswer(record: SubmissionRecord, publicBaseUrl: string): AcceptedAnswer {
  return {
    submissionId: record.id,
    status: record.status,
    statusUrl: statusUrl(publicBaseUrl, record.id),
    destinations: record.deliveries.map((d) => ({ destinationId: d.destinationId, messageId: d.id, status: d.state })),
  };
}

export function statusUrl(publicBaseUrl: string, submissionId: string): string {
  return new URL(
    `v1/submissions/${encodeURIComponent(submissionId)}`,
    publicBaseUrl.endsWith('/') ? publicBaseUrl : publicBaseUrl + '/',
  ).href;
}

/**
 * The status a portal reads. `lastError` (a stable code and when) is shown for a delivery whose latest attempt
 * failed, so a portal sees why a message still waits — the code an adapter chose, never a payload. A
 * destination whose transport assigned ids of its own carries them (`fitConnect: {submissionId, caseId}`), so
 * that the portal's support can quote them to the transport's.
 */
export function statusView(
  record: SubmissionRecord,
  events: StoredEvent[],
  publicBaseUrl: string,
  perDelivery: {
    lastErrors?: ReadonlyMap<string, AttemptError>;
    references?: ReadonlyMap<string, TransportReferences>;
  } = {},
) {
  const { lastErrors = new Map<string, AttemptError>(), references = new Map<string, TransportReferences>() } =
    perDelivery;
  return {
    submissionId: record.id,
    serviceKey: record.serviceKey,
    regionKey: record.regionKey,
    reference: record.reference,
    test: record.test,
    status: record.status,
    statusUrl: statusUrl(publicBaseUrl, record.id),
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
    destinations: record.deliveries.map((d) => ({
      destinationId: d.destinationId,
      messageId: d.id,
      status: d.state,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastError: lastErrors.get(d.id),
      updatedAt: d.updatedAt,
      ...references.get(d.id),
    })),
    history: events.map(historyEntry),
  };
}

/**
 * One entry of the history: what happened, and the submission's status where it changed. A delivery entry
 * also says which destination's message reached which status, so that a portal can tell its destinations
 * apart without the raw event log.
 */
function historyEntry(event: StoredEvent) {
  const { destinationId, messageId, state } = event.data;
  const destination =
    event.type === 'delivery' &&
    typeof destinationId === 'string' &&
    typeof messageId === 'string' &&
    typeof state === 'string'
      ? { destinationId, messageId, status: state }
      : undefined;
  return {
    seq: event.seq,
    at: event.at,
    type: event.type,
    status: typeof event.data.status === 'string' ? event.data.status : undefined,
    destination,
  };
}
