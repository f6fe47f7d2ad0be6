import type { ConfigFiles } from '../config/load.js';
import { destinationKeySources } from '../config/destination-key-sources.js';
import type { Destination } from '../config/routing-schema.js';
import { version } from '../lib/version.js';
import type { AuthenticationInfo } from '../receiver/authentication-info.js';
import type { PaymentInformation } from '../receiver/payment-information.js';
import { sealFitConnect, sealMessageToBytes, type KeyRing, type SealAttachment } from '../seal/index.js';
import { selectAttachments, type ProducedMessage } from '../xoev/index.js';
import { dataSchemaSetOf } from './produce-messages.js';

/** What every message of a submission is sealed from: the request's own at intake, the escrow copy's later. */
export interface SubmissionToSeal {
  submissionId: string;
  serviceKey: string;
  regionKey: string;
  reference: string | undefined;
  test: boolean;
  /** When the portal handed the submission over: the applicant's date, also when sealed again later. */
  receivedAt: Date;
  /** Validated, normalised data: what a destination whose service has no standard receives, as JSON. */
  data: Record<string, unknown>;
  /** Every attachment; the mapping decides which of them a destination receives. */
  attachments: readonly SealAttachment[];
  /** How the applicant was identified, as the portal reported it: into the metadata of every format. */
  authentication: AuthenticationInfo | undefined;
  /** FIT-Connect's `paymentInformation`, as the portal sent it: into the metadata of every format. */
  payment: PaymentInformation | undefined;
}

export interface SealedForStore {
  deliveryId: string;
  /** The container's JSON text, as bytes for the amtsbote-sealed/1 format (the store binds them without a copy). */
  body: string | Buffer;
  /** The gateway key that signed the message (FIT-Connect's format carries no sender signature). */
  signingKid?: string | undefined;
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}

/**
 * Seals one destination's message, in the destination's format (`amtsbote-sealed/1` or FIT-Connect's), to
 * its current key, signed with the key active now. Intake, replay with reroute and deferred fan-out all seal
 * through here, so a message sealed again from the escrow copy carries the same metadata as one sealed at
 * intake: only its ids and times differ.
 */
export async function sealForDestination(input: {
  config: ConfigFiles;
  keyRing: Pick<KeyRing, 'signing'> & { resolver: Pick<KeyRing['resolver'], 'encryptionKey'> };
  submission: SubmissionToSeal;
  deliveryId: string;
  destination: Destination;
  /** The destination's XÖV (or JSON-mapped) message; undefined for a service with no standard. */
  produced: ProducedMessage | undefined;
  /** The time the metadata is signed at (`createdAt`). */
  clock: () => Date;
  /**
   * For a FIT-Connect destination: the schema its metadata names, the one the destination offers for this data
   * (fitconnect-offer.ts). Without it (a caller that asks no delivery service), the configured `submissionSchemaUri`.
   */
  submissionSchema?: { schemaUri: string } | undefined;
}): Promise<SealedForStore> {
  const { config, submission, deliveryId, destination, produced } = input;
  const recipient = await input.keyRing.resolver.encryptionKey(destinationKeySources(destination).encryption);
  const content = produced
    ? { content: produced.content, mediaType: produced.mediaType }
    : { content: JSON.stringify(submission.data), mediaType: 'application/json' as const };
  // Only what the recipient class is entitled to (the mapping says); the escrow copy keeps them all.
  const carried = selectAttachments(produced?.attachments ?? 'all', submission.attachments);
  const service = config.services.get(submission.serviceKey);

  if (destination.sealing === 'fitconnect' && destination.adapter.kind === 'fitconnect') {
    const product = config.gateway.product;
    const sealed = await sealFitConnect(
      {
        messageId: deliveryId,
        destinationId: destination.adapter.destinationId,
        service: { key: submission.serviceKey, name: service?.definition.name ?? submission.serviceKey },
        submissionSchemaUri:
          input.submissionSchema?.schemaUri ??
          destination.adapter.submissionSchemaUri ??
          (produced ? produced.schemaSet : dataSchemaSetOf(config, submission.serviceKey)),
        reference: submission.reference,
        receivedAt: submission.receivedAt,
        author: { name: product.name, product: { name: product.name, version, manufacturer: product.vendor } },
        data: content,
        attachments: carried,
        authentication: submission.authentication,
        paymentInformation: submission.payment,
        dataAttachmentAboveBytes: destination.adapter.dataAttachmentAboveBytes,
      },
      recipient,
    );
    return { deliveryId, body: JSON.stringify(sealed.container), authenticationTags: sealed.authenticationTags };
  }

  const region = config.regions.get(submission.regionKey);
  const sealed = await sealMessageToBytes(
    {
      messageId: deliveryId,
      submissionId: submission.submissionId,
      destinationId: destination.id,
      service: { key: submission.serviceKey, ...(service ? { name: service.definition.name } : {}) },
      region: { key: submission.regionKey, ...(region ? { name: region.name } : {}) },
      standard: produced
        ? {
            name: produced.standard,
            version: produced.version,
            message: produced.message,
            schemaSet: produced.schemaSet,
          }
        : {
            name: 'json',
            version: '1',
            message: submission.serviceKey,
            schemaSet: dataSchemaSetOf(config, submission.serviceKey),
          },
      test: submission.test,
      reference: submission.reference,
      authentication: submission.authentication,
      paymentInformation: submission.payment,
      data: { ...content, ...(produced ? { schemaUri: produced.schemaSet } : {}) },
      attachments: carried,
    },
    { signing: input.keyRing.signing(), recipient },
    { clock: input.clock },
  );
  return {
    deliveryId,
    body: sealed.body,
    signingKid: sealed.signingKid,
    authenticationTags: sealed.authenticationTags,
  };
}
