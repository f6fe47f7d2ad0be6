import type { LoadedConfig } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import type { Reroute } from '../delivery/reroute.js';
import { AmtsboteError } from '../lib/errors.js';
import { openEscrow, resealFromEscrow, serializeContainer, type EscrowSubmission, type KeyRing } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { DeliveryView } from '../store/types.js';
import { selectAttachments, type Xoev } from '../xoev/index.js';
import { envelopeSchema } from './envelope-schema.js';
import { dataSchemaSetOf, messageFor } from './produce-messages.js';
import { sealForFitConnect } from './seal-for-fitconnect.js';

/** What re-sealing from escrow uses; `config` and `xoev` are read per call, since a reload replaces them. */
export interface RerouteContext {
  /** The escrow copy, and the submission and portal its message is produced for. */
  store: Pick<Store, 'getEscrowCopy' | 'getSubmission' | 'getPortal'>;
  sealing: KeyRing;
  clock: () => Date;
  readonly config: LoadedConfig;
  readonly xoev: Xoev;
  productVersion: string;
}

/**
 * Re-seals a dead letter for a destination from the submission's escrow copy: mapped again for that
 * destination's standard version, sealed to its current key (in FIT-Connect's format for a FIT-Connect
 * destination), signed with the key active now. What replay with reroute and deferred fan-out use.
 */
export function rerouteFromEscrow(ctx: RerouteContext): Reroute {
  return async (delivery, destination) => {
    const escrow = await ctx.store.getEscrowCopy(delivery.submissionId);
    if (!escrow) throw new AmtsboteError('conflict', `The escrow copy of submission ${delivery.submissionId} is gone (retention period over); it cannot be re-sealed.`);
    const recipient = await ctx.sealing.resolver.encryptionKey(destination.encryptionKey);
    const now = ctx.clock();
    const produce = produceFor(ctx, delivery, destination, now);

    if (destination.sealing === 'fitconnect' && destination.adapter.kind === 'fitconnect') {
      const submission = await openEscrow(escrow.body, ctx.sealing.keys.escrow, { expectedSubmissionId: delivery.submissionId });
      const produced = await produce(submission);
      const reference = submission.envelope.reference;
      const sealed = await sealForFitConnect({
        config: ctx.config,
        deliveryId: delivery.id,
        adapter: destination.adapter,
        recipient,
        serviceKey: submission.envelope.serviceKey,
        reference: typeof reference === 'string' ? reference : undefined,
        // The applicant's date stays the day the portal handed the submission over, not the day of the replay.
        receivedAt: new Date(submission.receivedAt),
        content: { content: produced.body, mediaType: produced.contentType },
        attachments: produced.attachmentIds ? submission.attachments.filter((a) => produced.attachmentIds?.includes(a.id)) : submission.attachments,
      });
      return { ...sealed, contentType: 'application/json' };
    }

    const sealed = await resealFromEscrow(
      escrow.body,
      ctx.sealing.keys.escrow,
      {
        messageId: delivery.id,
        destinationId: destination.id,
        standard: { name: destination.standard.name, version: destination.standard.version, message: destination.standard.message },
        recipient,
        signing: ctx.sealing.signing(),
      },
      produce,
      { expectedSubmissionId: delivery.submissionId, clock: () => now },
    );
    return {
      deliveryId: delivery.id,
      contentType: 'application/json',
      body: serializeContainer(sealed.container),
      signingKid: sealed.signingKid,
      authenticationTags: sealed.authenticationTags,
    };
  };
}

/** Maps the escrowed submission for the destination's standard version; a service without one travels as its JSON data. */
function produceFor(ctx: RerouteContext, delivery: DeliveryView, destination: Destination, now: Date) {
  return async (submission: EscrowSubmission): Promise<{ body: string; contentType: 'application/xml' | 'application/json'; schemaSet: string; attachmentIds?: string[] }> => {
    const envelope = envelopeSchema.parse({
      ...Object.fromEntries(Object.entries(submission.envelope).filter(([, v]) => v !== undefined)),
      data: submission.data,
      attachments: submission.attachments.map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType, ...(a.purpose === undefined ? {} : { purpose: a.purpose }) })),
    });
    const record = await ctx.store.getSubmission(delivery.submissionId);
    const portal = record ? await ctx.store.getPortal(record.portalId) : undefined;
    const contents = new Map(submission.attachments.map((a) => [a.id, a.content]));
    const produced = await messageFor(
      { config: ctx.config, xoev: ctx.xoev, productVersion: ctx.productVersion, envelope, data: submission.data, submissionId: submission.submissionId, createdAt: now, portal, contents },
      destination,
      delivery.id,
    );
    return produced
      ? { body: produced.content, contentType: produced.mediaType, schemaSet: produced.schemaSet, ...(produced.attachments === 'all' ? {} : { attachmentIds: selectAttachments(produced.attachments, submission.attachments).map((a) => a.id) }) }
      : { body: JSON.stringify(submission.data), contentType: 'application/json', schemaSet: dataSchemaSetOf(ctx.config, envelope.serviceKey) };
  };
}
