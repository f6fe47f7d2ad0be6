import type { JWK } from 'jose';
import { checkContent } from './check-content.js';
import { decryptPart } from './decrypt-part.js';
import { readReceivedMetadata } from './received-metadata.js';
import { attachmentInstance, rejectProblem, type RejectProblem } from './reject-problems.js';
import { findSubmitSet } from './submit-set.js';
import type { DecryptionKeys } from './subscriber-keys.js';

export type { RejectProblem } from './reject-problems.js';
export type { DecryptionKeys } from './subscriber-keys.js';

/** A submission as the subscriber fetched it from the delivery service, still encrypted. */
export interface FetchedSubmission {
  submissionId: string;
  caseId: string;
  destinationId: string;
  encryptedMetadata: string;
  /** '' when the data travel as a `purpose: data` attachment. */
  encryptedData: string;
  /** attachmentId → compact JWE as fetched. */
  attachments: ReadonlyMap<string, string>;
  /** The ids the submission lists. */
  announcedAttachments: readonly string[];
}

/** Compact JWE sizes refused before anything is decrypted (bytes of the compact serialisation). */
export interface CheckLimits {
  maxMetadataBytes: number;
  maxDataBytes: number;
  maxAttachmentBytes: number;
  maxTotalBytes: number;
  maxAttachments: number;
}

/**
 * Defaults: FIT-Connect recommends at most 10 MB of data (the delivery service takes about 10–14 MB; PROTOCOL.md §2),
 * larger data go as an attachment; base64url adds a third. Attachments have no documented limit; 64 MiB each and
 * 128 MiB in all bound the memory one pick-up may take.
 */
export const defaultCheckLimits: CheckLimits = {
  maxMetadataBytes: 1024 * 1024,
  maxDataBytes: 24 * 1024 * 1024,
  maxAttachmentBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxAttachments: 100,
};

export interface CheckInputs {
  /** The case's SETs, compact, as fetched. */
  eventLog: readonly string[];
  /** From the delivery service's JWKS; undefined when it has no key of that kid; throws when it cannot be read. */
  deliveryServiceKey: (kid: string) => Promise<JWK | undefined>;
  /** By kid (private keys imported once, see subscriber-keys.ts). */
  decryptionKeys: DecryptionKeys;
  acceptedSchemas: readonly { schemaUri: string; mimeType: string }[];
  /** Exact metadata versions the destination takes; default: every version of a major the gateway knows (1.x, 2.x). */
  metadataVersions?: readonly string[];
  /** Default: defaultCheckLimits. */
  limits?: Partial<CheckLimits>;
  /** Default: the clock (the submit SET's `iat` window). */
  now?: Date;
}

export interface CheckedAttachment {
  id: string;
  mediaType: string;
  purpose: string;
  filename?: string;
  content: Buffer;
}

export type CheckResult =
  | {
      kind: 'valid';
      metadata: Record<string, unknown>;
      metadataVersion: string;
      data: Buffer;
      dataSchema: { schemaUri: string; mimeType: string };
      /** Without the data's own `purpose: data` attachment (its content is `data`). */
      attachments: CheckedAttachment[];
      authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
      /** The verbatim submit-submission SET. */
      submitSet: string;
    }
  /** → reject-submission SET */
  | { kind: 'reject'; problems: RejectProblem[] }
  /** Not yet decidable: no submit SET in the log yet, the delivery service's key set unreadable or without the kid. */
  | { kind: 'retry'; reason: string };

/** The authentication tag of a compact JWE: its 5th segment ('' for the empty data placeholder). */
const tagOf = (jwe: string) => (jwe === '' ? '' : jwe.slice(jwe.lastIndexOf('.') + 1));

/**
 * The checks before accepting a FIT-Connect submission, in FIT-Connect's order (issue 23, item 4): the delivery
 * service's submit-submission SET and its authentication tags against the JWEs received; sizes, then decryption with
 * the key each JWE's kid names; the metadata against the metadata schema of its version; SHA-512 of data and
 * attachments and completeness; the data schema is one the destination takes. Each stage lists every problem it
 * finds; a later stage runs only when the earlier ones passed (it builds on them). Pure: no HTTP, no store.
 */
export async function checkSubmission(submission: FetchedSubmission, inputs: CheckInputs): Promise<CheckResult> {
  const limits = { ...defaultCheckLimits, ...inputs.limits };
  const received = {
    metadata: tagOf(submission.encryptedMetadata),
    data: tagOf(submission.encryptedData),
    attachments: Object.fromEntries([...submission.attachments].map(([id, jwe]) => [id, tagOf(jwe)])),
  };

  // 1. The submit-submission SET: genuine, and its tags those of the JWEs received.
  const submit = await findSubmitSet(
    inputs.eventLog,
    { submissionId: submission.submissionId, caseId: submission.caseId },
    inputs.deliveryServiceKey,
    inputs.now ?? new Date(),
  );
  if (submit.kind !== 'found') return submit;
  const tagProblems: RejectProblem[] = [];
  const mismatch = (instance: string, detail: string) =>
    tagProblems.push(rejectProblem('authentication-tag-mismatch', detail, instance));
  if (submit.tags.metadata !== received.metadata)
    mismatch('metadata', 'The authentication tag of the metadata differs from the submit-submission SET.');
  if (submit.tags.data !== received.data)
    mismatch('data', 'The authentication tag of the data differs from the submit-submission SET.');
  const ids = new Set([...Object.keys(submit.tags.attachments), ...submission.attachments.keys()]);
  for (const id of ids) {
    const inSet = submit.tags.attachments[id];
    if (inSet === undefined)
      mismatch(attachmentInstance(id), 'The submit-submission SET has no tag for this attachment.');
    else if (!submission.attachments.has(id))
      mismatch(attachmentInstance(id), 'The submit-submission SET names this attachment, but it was not received.');
    else if (inSet !== received.attachments[id])
      mismatch(
        attachmentInstance(id),
        'The authentication tag of the attachment differs from the submit-submission SET.',
      );
  }
  if (tagProblems.length > 0) return { kind: 'reject', problems: tagProblems };

  // 2. Sizes, before anything is decrypted; then decryption.
  const sizeProblems: RejectProblem[] = [];
  const tooLarge = (instance: string, size: number, max: number) =>
    size > max &&
    sizeProblems.push(
      rejectProblem('part-too-large', `The JWE has ${size} bytes; at most ${max} are taken.`, instance),
    );
  tooLarge('metadata', submission.encryptedMetadata.length, limits.maxMetadataBytes);
  tooLarge('data', submission.encryptedData.length, limits.maxDataBytes);
  let total = submission.encryptedMetadata.length + submission.encryptedData.length;
  for (const [id, jwe] of submission.attachments) {
    tooLarge(attachmentInstance(id), jwe.length, limits.maxAttachmentBytes);
    total += jwe.length;
  }
  tooLarge('submission', total, limits.maxTotalBytes);
  if (submission.attachments.size > limits.maxAttachments)
    sizeProblems.push(
      rejectProblem(
        'part-too-large',
        `The submission has more than ${limits.maxAttachments} attachments.`,
        'submission',
      ),
    );
  if (sizeProblems.length > 0) return { kind: 'reject', problems: sizeProblems };

  const decryptProblems: RejectProblem[] = [];
  const open = async (jwe: string, instance: string, name: string) => {
    const part = await decryptPart(jwe, inputs.decryptionKeys);
    if (part.ok) return part.plaintext;
    decryptProblems.push(rejectProblem('decryption-failed', `The ${name} ${part.detail}.`, instance));
    return undefined;
  };
  // One part after another: the RSA operations are serialised per key anyway, and memory stays bounded.
  const metadataBytes = await open(submission.encryptedMetadata, 'metadata', 'metadata JWE');
  const data = submission.encryptedData === '' ? undefined : await open(submission.encryptedData, 'data', 'data JWE');
  const attachments = new Map<string, Buffer>();
  for (const [id, jwe] of submission.attachments) {
    const content = await open(jwe, attachmentInstance(id), 'attachment JWE');
    if (content !== undefined) attachments.set(id, content);
  }
  if (decryptProblems.length > 0 || metadataBytes === undefined) return { kind: 'reject', problems: decryptProblems };

  // 3. The metadata: JSON, a known version, valid against that version's schema.
  let document: unknown;
  try {
    document = JSON.parse(metadataBytes.toString('utf8'));
  } catch {
    return {
      kind: 'reject',
      problems: [rejectProblem('metadata-syntax', 'The decrypted metadata are not JSON.', 'metadata')],
    };
  }
  const reading = readReceivedMetadata(document, inputs.metadataVersions);
  if (!reading.ok) return { kind: 'reject', problems: [rejectProblem(reading.reason, reading.detail, 'metadata')] };

  // 4. Hashes and completeness.
  const content = checkContent({
    metadata: reading.metadata,
    data,
    attachments,
    announcedAttachments: submission.announcedAttachments,
  });
  if (!content.ok) return { kind: 'reject', problems: content.problems };

  // 5. The data schema is one this destination takes.
  const schema = reading.metadata.contentStructure.data?.submissionSchema;
  if (schema === undefined)
    return {
      kind: 'reject',
      problems: [rejectProblem('data-schema-unsupported', 'The metadata name no data schema.', 'metadata')],
    };
  if (!inputs.acceptedSchemas.some((s) => s.schemaUri === schema.schemaUri && s.mimeType === schema.mimeType))
    return {
      kind: 'reject',
      problems: [
        rejectProblem(
          'data-schema-unsupported',
          `This destination does not take data of schema ${schema.schemaUri.slice(0, 300)} (${schema.mimeType}).`,
          'metadata',
        ),
      ],
    };

  return {
    kind: 'valid',
    metadata: reading.metadata,
    metadataVersion: reading.version,
    data: content.content.data,
    dataSchema: { schemaUri: schema.schemaUri, mimeType: schema.mimeType },
    attachments: content.content.attachments,
    authenticationTags: received,
    submitSet: submit.set,
  };
}
