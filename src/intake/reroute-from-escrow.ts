import type { Reroute } from '../delivery/replay.js';
import { AmtsboteError } from '../errors.js';
import { resealFromEscrow, serializeContainer } from '../seal/index.js';
import type { IntakeContext } from './accept-submission.js';
import { envelopeSchema } from './envelope-schema.js';
import { messageFor } from './produce-messages.js';

/**
 * Re-seals a dead letter for a destination from the submission's escrow copy: mapped again for that
 * destination's standard version, sealed to its current key, signed with the key active now. What replay
 * with reroute (and later deferred fan-out) uses.
 */
export function rerouteFromEscrow(ctx: Pick<IntakeContext, 'store' | 'sealing' | 'clock' | 'config' | 'xoev' | 'productVersion'>): Reroute {
  return async (delivery, destination) => {
    const escrow = await ctx.store.getEscrowCopy(delivery.submissionId);
    if (!escrow) throw new AmtsboteError('conflict', `The escrow copy of submission ${delivery.submissionId} is gone (retention period over); it cannot be re-sealed.`);
    if (destination.sealing === 'fitconnect') {
      throw new AmtsboteError('conflict', `Re-sealing from the escrow copy is not available for FIT-Connect destinations (${destination.id}) yet.`);
    }
    const recipient = await ctx.sealing.resolver.encryptionKey(destination.encryptionKey);
    const record = await ctx.store.getSubmission(delivery.submissionId);
    const portal = record ? await ctx.store.getPortal(record.portalId) : undefined;
    const now = ctx.clock();
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
      async (submission) => {
        const envelope = envelopeSchema.parse({
          ...Object.fromEntries(Object.entries(submission.envelope).filter(([, v]) => v !== undefined)),
          data: submission.data,
          attachments: submission.attachments.map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType })),
        });
        const contents = new Map(submission.attachments.map((a) => [a.id, a.content]));
        const produced = await messageFor(
          { config: ctx.config, xoev: ctx.xoev, productVersion: ctx.productVersion, envelope, data: submission.data, submissionId: submission.submissionId, createdAt: now, portal, contents },
          destination,
          delivery.id,
        );
        return produced
          ? { body: produced.content, contentType: produced.mediaType, schemaSet: produced.schemaSet }
          : { body: JSON.stringify(submission.data), contentType: 'application/json', schemaSet: `amtsbote:service:${envelope.serviceKey}` };
      },
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
