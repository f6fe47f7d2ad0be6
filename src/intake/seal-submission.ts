import type { LoadedConfig } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import { AmtsboteError } from '../errors.js';
import { isRecipientKeyError, sealEscrowToBytes, sealMessageToBytes } from '../seal/index.js';
import { selectAttachments, type ProducedMessage } from '../xoev/index.js';
import type { Envelope } from './envelope-schema.js';
import { dataSchemaSetOf } from './produce-messages.js';
import { sealForFitConnect } from './seal-for-fitconnect.js';
import type { SealingContext } from './sealing-context.js';

export interface SealedForStore {
  deliveryId: string;
  /** The container's JSON text, as bytes for the amtsbote-sealed/1 format (the store binds them without a copy). */
  body: string | Buffer;
  /** The gateway key that signed the message (FIT-Connect's format carries no sender signature). */
  signingKid?: string | undefined;
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}

/**
 * Seals each destination's message to its recipient's key, and the submission once to the gateway's
 * escrow key. After this, the request holds the plain data only in memory; the store gets only these.
 */
export async function sealSubmission(input: {
  config: LoadedConfig;
  sealing: SealingContext;
  envelope: Envelope;
  data: Record<string, unknown>;
  contents: ReadonlyMap<string, Buffer>;
  submissionId: string;
  receivedAt: Date;
  targets: { deliveryId: string; destination: Destination; produced: ProducedMessage | undefined }[];
}): Promise<{ messages: SealedForStore[]; escrow: { escrowKid: string; body: Buffer } }> {
  const { envelope, data, sealing } = input;
  const service = input.config.services.get(envelope.serviceKey);
  const region = input.config.regions.get(envelope.regionKey);
  const attachments = (envelope.attachments ?? []).map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType, purpose: a.purpose, content: input.contents.get(a.id) ?? Buffer.alloc(0) }));
  const signing = sealing.signing();
  const clock = () => input.receivedAt;
  const sealOne = async ({ deliveryId, destination, produced }: (typeof input.targets)[number]): Promise<SealedForStore> => {
    let recipient;
    try {
      recipient = await sealing.resolver.encryptionKey(destination.encryptionKey);
    } catch (error) {
      if (isRecipientKeyError(error)) {
        throw new AmtsboteError('invalid-recipient-key', `The encryption key of destination ${destination.id} cannot be used (${error.extensions.reason}); the submission was not accepted.`, [], {
          destinationId: destination.id,
          reason: error.extensions.reason,
        });
      }
      throw error;
    }
    const content = produced ? { content: produced.content, mediaType: produced.mediaType } : { content: JSON.stringify(data), mediaType: 'application/json' as const };
    // Only what the recipient class is entitled to (the mapping says); the escrow copy below keeps them all.
    const carried = selectAttachments(produced?.attachments ?? 'all', attachments);
    if (destination.sealing === 'fitconnect' && destination.adapter.kind === 'fitconnect') {
      return sealForFitConnect({ config: input.config, deliveryId, adapter: destination.adapter, recipient, serviceKey: envelope.serviceKey, reference: envelope.reference, receivedAt: input.receivedAt, content, attachments: carried });
    }
    const sealed = await sealMessageToBytes(
      {
        messageId: deliveryId,
        submissionId: input.submissionId,
        destinationId: destination.id,
        service: { key: envelope.serviceKey, ...(service ? { name: service.definition.name } : {}) },
        region: { key: envelope.regionKey, ...(region ? { name: region.name } : {}) },
        standard: produced
          ? { name: produced.standard, version: produced.version, message: produced.message, schemaSet: produced.schemaSet }
          : { name: 'json', version: '1', message: envelope.serviceKey, schemaSet: dataSchemaSetOf(input.config, envelope.serviceKey) },
        test: envelope.test ?? false,
        reference: envelope.reference,
        data: { ...content, ...(produced ? { schemaUri: produced.schemaSet } : {}) },
        attachments: carried,
      },
      { signing, recipient },
      { clock },
    );
    return { deliveryId, body: sealed.body, signingKid: sealed.signingKid, authenticationTags: sealed.authenticationTags };
  };
  // One destination after another (issue 19, F4): each message is one buffer, written part by part, and
  // no two destinations' parts are being encrypted at once.
  const messages: SealedForStore[] = [];
  for (const target of input.targets) messages.push(await sealOne(target));
  const escrowKey = sealing.escrow();
  const escrowBody = await sealEscrowToBytes(
    {
      submissionId: input.submissionId,
      receivedAt: input.receivedAt.toISOString(),
      envelope: {
        serviceKey: envelope.serviceKey,
        regionKey: envelope.regionKey,
        reference: envelope.reference,
        test: envelope.test ?? false,
        callbackUrl: envelope.callbackUrl,
        authentication: envelope.authentication,
        payment: envelope.payment,
      },
      data,
      attachments,
    },
    escrowKey,
  );
  return { messages, escrow: { escrowKid: escrowKey.kid, body: escrowBody } };
}
