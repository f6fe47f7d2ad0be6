import { AmtsboteError } from '../../lib/errors.js';
import { issuePointer } from '../../lib/zod-issue-pointer.js';
import { DEFAULT_ATTACHMENT_PURPOSE } from '../../receiver/format.js';
import { sha512Hash } from '../lib/sha512.js';
import { FITCONNECT_METADATA_SCHEMA, fitConnectMetadataSchema, type FitConnectMetadata } from './metadata-schema.js';
import type { FitConnectSealInput } from './types.js';

/** The applicant's date as a German authority counts it (Europe/Berlin), `YYYY-MM-DD`. */
function berlinDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/**
 * FIT-Connect metadata 2.x for one submission: SHA-512 of the plain data and of each attachment (under its
 * announced UUID), the schema the destination offers for the data, the portal's reference and the sending
 * product. Checked against the gateway's own schema of what it emits before anything is encrypted.
 */
export function buildFitConnectMetadata(
  input: FitConnectSealInput,
  data: Uint8Array,
  attachmentIds: readonly string[],
): FitConnectMetadata {
  const metadata = {
    $schema: FITCONNECT_METADATA_SCHEMA,
    contentStructure: {
      data: {
        hash: sha512Hash(data),
        submissionSchema: { schemaUri: input.submissionSchemaUri, mimeType: input.data.mediaType },
      },
      attachments: input.attachments.map((a, i) => ({
        attachmentId: attachmentIds[i],
        hash: sha512Hash(a.content),
        purpose: a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE,
        mimeType: a.mediaType,
        filename: a.filename,
      })),
    },
    additionalReferenceInfo: {
      ...(input.reference === undefined ? {} : { senderReference: input.reference }),
      applicationDate: berlinDate(input.receivedAt),
    },
    author: input.author,
  };
  const checked = fitConnectMetadataSchema.safeParse(metadata);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new AmtsboteError(
      'internal',
      `the FIT-Connect metadata would be invalid: ${issuePointer(issue?.path ?? []) || '/'} ${issue?.message ?? ''}`,
    );
  }
  return checked.data;
}
