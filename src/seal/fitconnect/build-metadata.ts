import { berlinDay } from '../../lib/berlin-time.js';
import { AmtsboteError } from '../../lib/errors.js';
import { issuePointer } from '../../lib/zod-issue-pointer.js';
import { DEFAULT_ATTACHMENT_PURPOSE } from '../../receiver/format.js';
import { sha512Hash } from '../lib/sha512.js';
import { authenticationDataSet } from './authentication-data-set.js';
import { FITCONNECT_METADATA_SCHEMA, fitConnectMetadataSchema, type FitConnectMetadata } from './metadata-schema.js';
import type { FitConnectSealInput } from './types.js';

/** The ids a message's metadata names besides the attachments': each a fresh UUIDv4, or absent. */
export interface ExtraIds {
  /** The `purpose: data` attachment's id, when the data go as an attachment. */
  dataAttachmentId?: string | undefined;
  /** The authentication data set's id, when the portal reported how the applicant was identified. */
  authenticationDataSetId?: string | undefined;
}

/**
 * FIT-Connect metadata 2.x for one submission: SHA-512 of the plain data and of each attachment (under its
 * announced UUID), the schema the destination offers for the data, the portal's reference, the payment
 * (FIT-Connect's own `paymentInformation`), how the applicant was identified (a data set) and the sending
 * product. Data sent as a `purpose: data` attachment leave `contentStructure.data.hash` the SHA-512 of empty
 * input, as FIT-Connect prescribes for the empty `encryptedData`. Checked against the gateway's own schema of
 * what it emits before anything is encrypted.
 */
export function buildFitConnectMetadata(
  input: FitConnectSealInput,
  data: Uint8Array,
  attachmentIds: readonly string[],
  extra: ExtraIds = {},
): FitConnectMetadata {
  const { dataAttachmentId, authenticationDataSetId } = extra;
  const portalAttachments = input.attachments.map((a, i) => ({
    attachmentId: attachmentIds[i],
    hash: sha512Hash(a.content),
    purpose: a.purpose ?? DEFAULT_ATTACHMENT_PURPOSE,
    mimeType: a.mediaType,
    filename: a.filename,
  }));
  const dataAttachment =
    dataAttachmentId === undefined
      ? []
      : [{ attachmentId: dataAttachmentId, hash: sha512Hash(data), purpose: 'data', mimeType: input.data.mediaType }];
  const metadata = {
    $schema: FITCONNECT_METADATA_SCHEMA,
    contentStructure: {
      data: {
        hash: sha512Hash(dataAttachmentId === undefined ? data : new Uint8Array(0)),
        submissionSchema: { schemaUri: input.submissionSchemaUri, mimeType: input.data.mediaType },
      },
      attachments: [...portalAttachments, ...dataAttachment],
    },
    ...(input.paymentInformation === undefined ? {} : { paymentInformation: { ...input.paymentInformation } }),
    additionalReferenceInfo: {
      ...(input.reference === undefined ? {} : { senderReference: input.reference }),
      applicationDate: berlinDay(input.receivedAt),
    },
    author: input.author,
    ...(input.authentication === undefined || authenticationDataSetId === undefined
      ? {}
      : { dataSets: [authenticationDataSet(input.authentication, authenticationDataSetId)] }),
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
