import type { KeyedHash } from '../lib/keyed-hash.js';
import type { NewSubmission } from '../store/types.js';
import type { Envelope } from './envelope-schema.js';

/**
 * The submission as the store keeps it: what the portal sent, less everything personal — the data and each
 * attachment only as keyed hashes (the sealed messages and the escrow copy hold the content).
 */
export function submissionRow(input: {
  id: string;
  portalId: string;
  envelope: Envelope;
  /** The validated data, normalised as they were sealed. */
  data: Record<string, unknown>;
  contents: ReadonlyMap<string, Buffer>;
  receivedAt: string;
  routingVersion: number;
  hash: KeyedHash;
}): NewSubmission {
  const { envelope, contents, hash } = input;
  return {
    id: input.id,
    portalId: input.portalId,
    serviceKey: envelope.serviceKey,
    regionKey: envelope.regionKey,
    status: 'pending',
    reference: envelope.reference,
    test: envelope.test ?? false,
    callbackUrl: envelope.callbackUrl,
    authentication: envelope.authentication,
    // Method and status only: transaction ids and the amount stay in the sealed messages and the escrow copy.
    payment: envelope.payment && { method: envelope.payment.paymentMethod, status: envelope.payment.status },
    dataHmac: hash(JSON.stringify(input.data)),
    attachments: (envelope.attachments ?? []).map((a) => {
      const content = contents.get(a.id) ?? Buffer.alloc(0);
      return { id: a.id, mediaType: a.mediaType, size: content.length, hmac: hash(content) };
    }),
    receivedAt: input.receivedAt,
    routingVersion: input.routingVersion,
    replyKey: envelope.replyChannel?.encryptionKey,
  };
}
