import type { DataMediaType } from '../../receiver/format.js';
import type { GatewayEscrowKey, GatewaySigningKey } from '../gateway-keys/types.js';
import type { RecipientEncryptionKey } from '../recipient-keys/check-recipient-jwk.js';
import { sealMessage } from '../sealed-message/seal-message.js';
import type { SealedMessage, SealOptions } from '../sealed-message/types.js';
import { openEscrow } from './open-escrow.js';
import type { EscrowSubmission } from './types.js';

/** Where and how a message is sealed again: possibly a new destination, recipient key or standard version. */
export interface ResealTarget {
  /** A new message id (a new message), or the delivery's own to replace an unsent one. */
  messageId: string;
  destinationId: string;
  standard: { name: string; version: string; message: string };
  recipient: RecipientEncryptionKey;
  /** The signing key active now. */
  signing: GatewaySigningKey;
  service?: { name?: string };
  region?: { name?: string };
  /** Which attachments to carry; default all. */
  attachmentIds?: readonly string[];
}

/** The message body for the target: mapping and XSD validation live outside seal/. */
export interface Produced {
  body: Uint8Array | string;
  contentType: DataMediaType;
  /** The schema set that validated the body. */
  schemaSet: string;
  /** Which attachments the message carries, where the mapping restricts them (it overrides the target's). */
  attachmentIds?: readonly string[];
}

export type Produce = (submission: EscrowSubmission, target: ResealTarget) => Produced | Promise<Produced>;

/**
 * Re-creates a sealed message from the escrow copy: opens it with the escrow keys, lets `produce` map
 * the data for the target's standard version, and seals the result for the target's recipient key
 * with the active signing key. Replay with re-route, re-sealing after a key rotation and deferred
 * fan-out all go through here.
 */
export async function resealFromEscrow(
  escrowJwe: string,
  escrowKeys: ReadonlyMap<string, GatewayEscrowKey>,
  target: ResealTarget,
  produce: Produce,
  options: SealOptions & { expectedSubmissionId?: string } = {},
): Promise<SealedMessage> {
  const submission = await openEscrow(escrowJwe, escrowKeys, options.expectedSubmissionId === undefined ? {} : { expectedSubmissionId: options.expectedSubmissionId });
  const produced = await produce(submission, target);
  const ids = produced.attachmentIds ?? target.attachmentIds;
  const wanted = ids ? new Set(ids) : undefined;
  const reference = submission.envelope.reference;
  return sealMessage(
    {
      messageId: target.messageId,
      submissionId: submission.submissionId,
      destinationId: target.destinationId,
      service: { key: submission.envelope.serviceKey, ...(target.service?.name === undefined ? {} : { name: target.service.name }) },
      region: { key: submission.envelope.regionKey, ...(target.region?.name === undefined ? {} : { name: target.region.name }) },
      standard: { ...target.standard, schemaSet: produced.schemaSet },
      test: submission.envelope.test === true,
      reference: typeof reference === 'string' ? reference : undefined,
      data: { content: produced.body, mediaType: produced.contentType, schemaUri: produced.schemaSet },
      attachments: submission.attachments.filter((a) => !wanted || wanted.has(a.id)),
    },
    { signing: target.signing, recipient: target.recipient },
    options.clock ? { clock: options.clock } : {},
  );
}
