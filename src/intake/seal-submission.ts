import type { ConfigFiles } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import { isRecipientKeyError, sealEscrowToBytes } from '../seal/index.js';
import type { ProducedMessage } from '../xoev/index.js';
import type { Envelope } from './envelope-schema.js';
import { sealForDestination, type SealedForStore, type SubmissionToSeal } from './seal-for-destination.js';
import type { GatewayEscrowKey, KeyRing } from '../seal/index.js';

/** A portal is told to try again after this long when a recipient key cannot be fetched (its key cache retries). */
const keyUnavailableRetrySeconds = 30;

/**
 * Seals each destination's message to its recipient's key, and the submission once to the gateway's
 * escrow key. After this, the request holds the plain data only in memory; the store gets only these.
 */
export async function sealSubmission(input: {
  config: ConfigFiles;
  /** Only what sealing asks: the keys active now, and recipients' keys (pool/ passes them in, resolved). */
  sealing: Pick<KeyRing, 'signing'> & {
    escrow(): Pick<GatewayEscrowKey, 'kid' | 'publicKey'>;
    resolver: Pick<KeyRing['resolver'], 'encryptionKey'>;
  };
  envelope: Envelope;
  data: Record<string, unknown>;
  contents: ReadonlyMap<string, Buffer>;
  submissionId: string;
  receivedAt: Date;
  targets: {
    deliveryId: string;
    destination: Destination;
    produced: ProducedMessage | undefined;
    /** The schema a FIT-Connect destination offers for the data (fitconnect-offer.ts). */
    submissionSchema?: { schemaUri: string } | undefined;
  }[];
}): Promise<{ messages: SealedForStore[]; escrow: { escrowKid: string; body: Buffer } }> {
  const { envelope, data, sealing } = input;
  const attachments = (envelope.attachments ?? []).map((a) => ({
    id: a.id,
    filename: a.filename,
    mediaType: a.mediaType,
    purpose: a.purpose,
    content: input.contents.get(a.id) ?? Buffer.alloc(0),
  }));
  const submission: SubmissionToSeal = {
    submissionId: input.submissionId,
    serviceKey: envelope.serviceKey,
    regionKey: envelope.regionKey,
    reference: envelope.reference,
    test: envelope.test ?? false,
    receivedAt: input.receivedAt,
    data,
    attachments,
    authentication: envelope.authentication,
    payment: envelope.payment,
  };
  const clock = () => input.receivedAt;
  const sealOne = async ({
    deliveryId,
    destination,
    produced,
    submissionSchema,
  }: (typeof input.targets)[number]): Promise<SealedForStore> => {
    // At intake a key the resolver refuses is the portal's answer: this submission cannot be delivered.
    try {
      return await sealForDestination({
        config: input.config,
        keyRing: sealing,
        submission,
        deliveryId,
        destination,
        produced,
        clock,
        submissionSchema,
      });
    } catch (error) {
      if (isRecipientKeyError(error)) {
        throw new AmtsboteError(
          'invalid-recipient-key',
          `The encryption key of destination ${destination.id} cannot be used (${error.extensions.reason}); the submission was not accepted.`,
          [],
          {
            destinationId: destination.id,
            reason: error.extensions.reason,
          },
        );
      }
      // A key that cannot be had now (its service down, a key URL unreachable): this destination, not the portal,
      // is the problem, and a later try may succeed.
      if (error instanceof AmtsboteError && error.code === 'unavailable') {
        throw new AmtsboteError(
          'unavailable',
          `The encryption key of destination ${destination.id} cannot be had now; the submission was not accepted. Try again later.`,
          [],
          { destinationId: destination.id, retryAfter: keyUnavailableRetrySeconds },
        );
      }
      throw error;
    }
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
