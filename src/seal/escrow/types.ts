import type { AttachmentPurpose } from '../../receiver/format.js';

/** Format of the escrow copy's plaintext and its JWE `cty`. */
export const ESCROW_FORMAT = 'amtsbote-escrow/1';
export const ESCROW_CTY = 'application/vnd.amtsbote.escrow+json';

/**
 * The validated submission as the escrow copy keeps it: everything needed to map and seal it again
 * (re-route, a recipient's new key, another standard version, deferred fan-out), without the store
 * ever holding plain data.
 */
export interface EscrowSubmission {
  submissionId: string;
  receivedAt: string;
  /** The envelope's other members: serviceKey, regionKey, reference, test, authentication, payment, callbackUrl. */
  envelope: { serviceKey: string; regionKey: string } & Record<string, unknown>;
  /** The validated, normalised service data. */
  data: Record<string, unknown>;
  attachments: EscrowAttachment[];
}

export interface EscrowAttachment {
  id: string;
  filename: string;
  mediaType: string;
  /** As the portal gave it; kept so that a message sealed again selects by purpose as at intake. */
  purpose?: AttachmentPurpose | undefined;
  content: Buffer;
}
