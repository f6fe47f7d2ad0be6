import type { ConfigFiles } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import type { Reroute } from '../delivery/reroute.js';
import { AmtsboteError } from '../lib/errors.js';
import { openEscrow, type EscrowSubmission, type KeyRing } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { DeliveryView } from '../store/types.js';
import type { ProducedMessage, Xoev } from '../xoev/index.js';
import { authenticationInfoSchema } from '../receiver/authentication-info.js';
import { envelopeSchema } from './envelope-schema.js';
import { paymentFromEscrow } from './legacy-payment.js';
import { messageFor } from './produce-messages.js';
import { sealForDestination, type SubmissionToSeal } from './seal-for-destination.js';
import { isFitConnectDestination, submissionSchemaFor } from './fitconnect-offer.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';

/** What re-sealing from escrow uses; `config` and `xoev` are read per call, since a reload replaces them. */
export interface RerouteContext {
  /** The escrow copy, and the submission and portal its message is produced for. */
  store: Pick<Store, 'getEscrowCopy' | 'getSubmission' | 'getPortal'>;
  /**
   * Opens the escrow copy (any escrow key still configured), signs with the key active now, resolves the recipient's.
   */
  sealing: Pick<KeyRing, 'keys' | 'signing' | 'resolver'>;
  clock: () => Date;
  readonly config: ConfigFiles;
  readonly xoev: Xoev;
  productVersion: string;
  /** What FIT-Connect destinations take: a re-sealed message names the schema the destination offers, as at intake. */
  fitConnect?: FitConnectDirectories | undefined;
}

/**
 * Re-seals a dead letter for a destination from the submission's escrow copy: mapped again for that
 * destination's standard version, sealed to its current key (in FIT-Connect's format for a FIT-Connect
 * destination), signed with the key active now. What replay with reroute and deferred fan-out use; the
 * sealing itself is intake's step, so the message's metadata is what intake would have written.
 */
export function rerouteFromEscrow(deps: RerouteContext): Reroute {
  return async (delivery, destination) => {
    const escrow = await deps.store.getEscrowCopy(delivery.submissionId);
    if (!escrow)
      throw new AmtsboteError(
        'conflict',
        `The escrow copy of submission ${delivery.submissionId} is gone (retention period over); it cannot be re-sealed.`,
      );
    const submission = await openEscrow(escrow.body, deps.sealing.keys.escrow, {
      expectedSubmissionId: delivery.submissionId,
    });
    const now = deps.clock();
    const produced = await produceFor(deps, delivery, destination, submission, now);
    const submissionSchema = isFitConnectDestination(destination)
      ? await submissionSchemaFor(deps, destination, submission.envelope.serviceKey)
      : undefined;
    const sealed = await sealForDestination({
      config: deps.config,
      keyRing: deps.sealing,
      submission: toSeal(submission),
      deliveryId: delivery.id,
      destination,
      produced,
      clock: () => now,
      submissionSchema,
    });
    // One message at a time, outside the request: its text is what the store's replace takes.
    return {
      ...sealed,
      body: typeof sealed.body === 'string' ? sealed.body : sealed.body.toString('utf8'),
      contentType: 'application/json',
    };
  };
}

/** The escrow copy as the sealing step reads a submission. */
function toSeal(submission: EscrowSubmission): SubmissionToSeal {
  const { reference } = submission.envelope;
  return {
    submissionId: submission.submissionId,
    serviceKey: submission.envelope.serviceKey,
    regionKey: submission.envelope.regionKey,
    reference: typeof reference === 'string' ? reference : undefined,
    test: submission.envelope.test === true,
    // The applicant's date stays the day the portal handed the submission over, not the day of the replay.
    receivedAt: new Date(submission.receivedAt),
    data: submission.data,
    attachments: submission.attachments,
    ...escrowedFacts(submission),
  };
}

/**
 * How the applicant was identified and the payment, from the copy's envelope. A copy sealed before the
 * envelope's `payment` became FIT-Connect's `paymentInformation` holds the earlier shape: converted where it
 * can be (legacy-payment.ts), left out where it cannot, never a reason to refuse re-sealing.
 */
function escrowedFacts(submission: EscrowSubmission): Pick<SubmissionToSeal, 'authentication' | 'payment'> {
  const authentication = authenticationInfoSchema.safeParse(submission.envelope.authentication);
  return {
    authentication: authentication.success ? authentication.data : undefined,
    payment: paymentFromEscrow(submission.envelope.payment),
  };
}

/**
 * Maps the escrowed submission for the destination's standard version; undefined for a service without one (it travels
 * as its JSON data).
 */
async function produceFor(
  deps: RerouteContext,
  delivery: DeliveryView,
  destination: Destination,
  submission: EscrowSubmission,
  now: Date,
): Promise<ProducedMessage | undefined> {
  const { authentication, payment } = escrowedFacts(submission);
  const envelope = envelopeSchema.parse({
    ...Object.fromEntries(Object.entries(submission.envelope).filter(([, v]) => v !== undefined)),
    authentication,
    payment,
    data: submission.data,
    attachments: submission.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      mediaType: a.mediaType,
      ...(a.purpose === undefined ? {} : { purpose: a.purpose }),
    })),
  });
  const record = await deps.store.getSubmission(delivery.submissionId);
  const portal = record ? await deps.store.getPortal(record.portalId) : undefined;
  const contents = new Map(submission.attachments.map((a) => [a.id, a.content]));
  return messageFor(
    {
      config: deps.config,
      xoev: deps.xoev,
      productVersion: deps.productVersion,
      envelope,
      data: submission.data,
      submissionId: submission.submissionId,
      createdAt: now,
      portal,
      contents,
    },
    destination,
    delivery.id,
  );
}
