/**
 * What the pick-up needs of its neighbours in this folder, as the agreed interfaces of issue 23 name them: the
 * checks before accepting (check-submission.ts), the subscriber's SETs (subscriber-sets.ts) and the inbound
 * mappings (inbound-mapping*.ts). subscriber.ts binds the real ones; pick-up.ts reads top to bottom without them.
 */

/** One problem of a reject-submission SET (PROTOCOL.md §3.3): type and instance copied as FIT-Connect defines them. */
export interface RejectProblem {
  type: string;
  title: string;
  detail: string;
  instance: string;
}

export interface FetchedSubmission {
  submissionId: string;
  caseId: string;
  destinationId: string;
  encryptedMetadata: string;
  encryptedData: string;
  attachments: ReadonlyMap<string, string>;
  announcedAttachments: readonly string[];
}

export interface ValidSubmission {
  kind: 'valid';
  metadata: Record<string, unknown>;
  metadataVersion: string;
  data: Buffer;
  dataSchema: { schemaUri: string; mimeType: string };
  attachments: { id: string; mediaType: string; purpose: string; filename?: string; content: Buffer }[];
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
  submitSet: string;
}

export type CheckOutcome =
  ValidSubmission | { kind: 'reject'; problems: RejectProblem[] } | { kind: 'retry'; reason: string };

export type MappedSubmission =
  | { ok: true; serviceKey: string; data: Record<string, unknown>; attachments: { id: string; purpose: string }[] }
  | { ok: false; reason: 'data-syntax' | 'data-schema'; errors: { pointer: string; detail: string }[] };

/** One destination's part of the pick-up: its checks, SETs and mappings, bound to its keys and schemas. */
export interface DestinationPorts {
  check(fetched: FetchedSubmission, eventLog: readonly string[]): Promise<CheckOutcome>;
  /** Undefined: no inbound mapping for this data schema (the case waits). */
  map(valid: ValidSubmission): Promise<MappedSubmission | undefined>;
  acceptSet(fetched: FetchedSubmission, valid: ValidSubmission): Promise<string>;
  rejectSet(fetched: FetchedSubmission, problems: readonly RejectProblem[]): Promise<string>;
  /** The problem a reject names when the data break their schema or the service's (PROTOCOL.md §3.3). */
  dataProblem(reason: 'data-syntax' | 'data-schema', detail: string): RejectProblem;
}
