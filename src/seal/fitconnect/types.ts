import type { AuthenticationInfo } from '../../receiver/authentication-info.js';
import type { DataMediaType } from '../../receiver/format.js';
import type { PaymentInformation } from '../../receiver/payment-information.js';
import type { SealAttachment } from '../sealed-message/types.js';
import type { FitConnectContainer } from './container.js';
import type { FitConnectMetadata } from './metadata-schema.js';

/** Everything one FIT-Connect submission is made of. */
export interface FitConnectSealInput {
  /** Amtsbote's message id (the delivery), kept beside the FIT-Connect ids. */
  messageId: string;
  /** The FIT-Connect destination id (UUID). */
  destinationId: string;
  service: { key: string; name: string };
  submissionSchemaUri: string;
  /** The portal's own case reference (not personal data). */
  reference?: string | undefined;
  receivedAt: Date;
  author: FitConnectMetadata['author'];
  data: { content: Uint8Array | string; mediaType: DataMediaType };
  attachments: readonly SealAttachment[];
  /** How the applicant was identified, as the portal reported it: carried as a data set. */
  authentication?: AuthenticationInfo | undefined;
  /** FIT-Connect's `paymentInformation`, as the portal sent it. */
  paymentInformation?: PaymentInformation | undefined;
  /**
   * Data larger than this many bytes go as an attachment with `purpose: data` and an empty `encryptedData`
   * (the destination's `dataAttachmentAboveBytes`; default DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES).
   */
  dataAttachmentAboveBytes?: number | undefined;
}

/**
 * FIT-Connect recommends at most 10 MB for the data of a submission (its delivery service takes about
 * 10–14 MB) and prescribes `purpose: data` attachments above that. 10 000 000 bytes, the decimal megabyte,
 * because it is the smaller reading of "10 MB": the JWE of 10 000 000 bytes is ~13.3 MB, inside what the
 * delivery service was seen to take; 10 MiB would already be ~14 MB.
 */
export const DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES = 10_000_000;

export interface FitConnectSealed {
  container: FitConnectContainer;
  metadata: FitConnectMetadata;
  recipientKid: string;
  /** FIT-Connect `authenticationTags`, attachments keyed by their announced UUIDs: what an accept repeats. */
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}
