import { sha512 } from '../../lib/sha512.js';
import type { ReceivedMetadata } from './received-metadata.js';
import { attachmentInstance, rejectProblem, type RejectProblem } from './reject-problems.js';

/** SHA-512 of empty input: `contentStructure.data.hash` when the data travel as a `purpose: data` attachment. */
const emptyHash = sha512(new Uint8Array(0));

export interface ContentInput {
  metadata: ReceivedMetadata;
  /** The decrypted data; undefined when `encryptedData` was the empty placeholder. */
  data: Buffer | undefined;
  /** attachmentId → decrypted content, for every attachment received. */
  attachments: ReadonlyMap<string, Buffer>;
  announcedAttachments: readonly string[];
}

export interface CheckedContent {
  data: Buffer;
  /** The attachments other than the data's own (`purpose: data`), in the metadata's order. */
  attachments: { id: string; mediaType: string; purpose: string; filename?: string; content: Buffer }[];
}

/**
 * SHA-512 of the data and of every attachment against `contentStructure`, and completeness: every announced
 * attachment is described in the metadata and was received, and nothing else was; the data are there once — inline,
 * or as the one `purpose: data` attachment with `encryptedData` the empty placeholder and the data hash that of
 * empty input (PROTOCOL.md §2). Every problem found is listed, not only the first.
 */
export function checkContent(
  input: ContentInput,
): { ok: true; content: CheckedContent } | { ok: false; problems: RejectProblem[] } {
  const problems: RejectProblem[] = [];
  const described = input.metadata.contentStructure.attachments;
  const describedIds = new Set(described.map((a) => a.attachmentId));
  const announced = new Set(input.announcedAttachments);

  for (const id of announced) {
    if (!describedIds.has(id))
      problems.push(
        rejectProblem(
          'attachments-incomplete',
          'The attachment is announced but not described in the metadata.',
          attachmentInstance(id),
        ),
      );
    if (!input.attachments.has(id))
      problems.push(
        rejectProblem(
          'attachments-incomplete',
          'The attachment is announced but was not received.',
          attachmentInstance(id),
        ),
      );
  }
  for (const id of describedIds)
    if (!announced.has(id))
      problems.push(
        rejectProblem(
          'attachments-incomplete',
          'The attachment is described in the metadata but not announced.',
          attachmentInstance(id),
        ),
      );
  for (const id of input.attachments.keys())
    if (!announced.has(id))
      problems.push(
        rejectProblem(
          'attachments-incomplete',
          'The attachment was received but not announced.',
          attachmentInstance(id),
        ),
      );
  if (describedIds.size !== described.length)
    problems.push(rejectProblem('attachments-incomplete', 'The metadata describes an attachment twice.', 'metadata'));

  for (const entry of described) {
    const content = input.attachments.get(entry.attachmentId);
    if (content !== undefined && sha512(content) !== entry.hash.content)
      problems.push(
        rejectProblem(
          'hash-mismatch',
          'The SHA-512 of the attachment differs from its hash in the metadata.',
          attachmentInstance(entry.attachmentId),
        ),
      );
  }

  const dataEntry = input.metadata.contentStructure.data;
  const dataAttachments = described.filter((a) => a.purpose === 'data');
  let data: Buffer | undefined;
  if (input.data !== undefined) {
    if (dataAttachments.length > 0)
      problems.push(
        rejectProblem('data-ambiguous', 'The data are sent inline and as a purpose "data" attachment as well.', 'data'),
      );
    if (dataEntry !== undefined && sha512(input.data) !== dataEntry.hash.content)
      problems.push(
        rejectProblem('hash-mismatch', 'The SHA-512 of the data differs from their hash in the metadata.', 'data'),
      );
    data = input.data;
  } else {
    const [only, ...more] = dataAttachments;
    if (only === undefined)
      problems.push(
        rejectProblem('data-missing', 'encryptedData is empty and no attachment has purpose "data".', 'data'),
      );
    else if (more.length > 0)
      problems.push(rejectProblem('data-ambiguous', 'More than one attachment has purpose "data".', 'data'));
    else data = input.attachments.get(only.attachmentId);
    if (dataEntry !== undefined && dataEntry.hash.content !== emptyHash)
      problems.push(
        rejectProblem(
          'hash-mismatch',
          'encryptedData is the empty placeholder, so the data hash must be the SHA-512 of empty input.',
          'data',
        ),
      );
  }

  if (problems.length > 0 || data === undefined)
    return {
      ok: false,
      problems: problems.length > 0 ? problems : [rejectProblem('data-missing', 'The data were not received.', 'data')],
    };
  return {
    ok: true,
    content: {
      data,
      attachments: described
        .filter((a) => a.purpose !== 'data')
        .map((a) => ({
          id: a.attachmentId,
          mediaType: a.mimeType,
          purpose: a.purpose,
          ...(a.filename === undefined ? {} : { filename: a.filename }),
          content: input.attachments.get(a.attachmentId) ?? Buffer.alloc(0),
        })),
    },
  };
}
