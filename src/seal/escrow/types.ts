import type { AttachmentPurpose } from '../../receiver/format.js';

/**
 * Format of the escrow copy's plaintext and its JWE `cty`, as written now: the copy's JSON (attachments
 * described, with their `size`), a line feed, then each attachment's bytes in order. The attachments travel
 * as bytes, not as base64 inside the JSON, so the copy of a submission with two 8.8 MB attachments is 23 MB
 * sealed instead of 31 MB — and it is held, and copied by the store, at the peak of the request (issue 19, F4).
 */
export const ESCROW_FORMAT = 'amtsbote-escrow/2';
export const ESCROW_CTY = 'application/vnd.amtsbote.escrow-2';
/** Copies sealed before: pure JSON with base64 attachment `content`. Still opened. */
export const ESCROW_FORMAT_1 = 'amtsbote-escrow/1';
export const ESCROW_CTY_1 = 'application/vnd.amtsbote.escrow+json';

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
