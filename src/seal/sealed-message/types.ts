import type { AuthenticationInfo } from '../../receiver/authentication-info.js';
import type { AttachmentPurpose, DataMediaType, SealedContainer, SealedMetadata } from '../../receiver/format.js';
import type { PaymentInformation } from '../../receiver/payment-information.js';

export interface SealAttachment {
  /** 1–64 letters, digits, dots, hyphens, underscores (as the portal API admits them). */
  id: string;
  mediaType: string;
  filename: string;
  /** What the attachment is (FIT-Connect's `purpose`); `attachment` when the portal named none. */
  purpose?: AttachmentPurpose | undefined;
  content: Uint8Array;
}

/** Everything one destination's message is made of. Ids come from the caller (injectable). */
export interface SealInput {
  messageId: string;
  submissionId: string;
  destinationId: string;
  service: { key: string; name?: string };
  region: { key: string; name?: string };
  standard: { name: string; version: string; message: string; schemaSet: string };
  test: boolean;
  /** The portal's own case reference (not personal data). */
  reference?: string | undefined;
  /** How the applicant was identified, as the portal reported it. */
  authentication?: AuthenticationInfo | undefined;
  /** FIT-Connect's `paymentInformation`, as the portal reported it. */
  paymentInformation?: PaymentInformation | undefined;
  /** `schemaUri`: the schema the data follow (FIT-Connect's `submissionSchema.schemaUri`), when known. */
  data: { content: Uint8Array | string; mediaType: DataMediaType; schemaUri?: string };
  attachments: readonly SealAttachment[];
}

export interface SealOptions {
  clock?: () => Date;
}

export interface SealedMessage {
  container: SealedContainer;
  /** The metadata as signed (also inside the container, encrypted). */
  metadata: SealedMetadata;
  signingKid: string;
  recipientKid: string;
  /**
   * The JWE authentication tags: a recipient's accept receipt lists them, and the gateway compares
   * (FIT-Connect `authenticationTags`). Worth storing with the delivery.
   */
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}
