import type { LoadedConfig } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import type { AttachmentPurpose } from '../receiver/format.js';
import { sealFitConnect, type RecipientEncryptionKey } from '../seal/index.js';
import { version } from '../lib/version.js';

export type FitConnectAdapter = Extract<Destination['adapter'], { kind: 'fitconnect' }>;

/**
 * A FIT-Connect destination's message in FIT-Connect's own format (design.md: the format is the
 * destination's): metadata, data and attachments encrypted to the destination's key. Intake and
 * re-sealing from the escrow copy (replay with reroute, deferred fan-out) both seal through here, so a
 * re-sealed submission is the same as one sealed at intake.
 */
export async function sealForFitConnect(input: {
  config: LoadedConfig;
  deliveryId: string;
  adapter: FitConnectAdapter;
  recipient: RecipientEncryptionKey;
  serviceKey: string;
  reference: string | undefined;
  receivedAt: Date;
  content: { content: string; mediaType: 'application/xml' | 'application/json' };
  attachments: { id: string; filename: string; mediaType: string; purpose?: AttachmentPurpose | undefined; content: Buffer }[];
}): Promise<{ deliveryId: string; body: string; authenticationTags: { metadata: string; data: string; attachments: Record<string, string> } }> {
  const product = input.config.gateway.product;
  const service = input.config.services.get(input.serviceKey);
  const sealed = await sealFitConnect(
    {
      messageId: input.deliveryId,
      destinationId: input.adapter.destinationId,
      service: { key: input.serviceKey, name: service?.definition.name ?? input.serviceKey },
      submissionSchemaUri: input.adapter.submissionSchemaUri,
      reference: input.reference,
      receivedAt: input.receivedAt,
      author: { name: product.name, product: { name: product.name, version, manufacturer: product.vendor } },
      data: input.content,
      attachments: input.attachments,
    },
    input.recipient,
  );
  return { deliveryId: input.deliveryId, body: JSON.stringify(sealed.container), authenticationTags: sealed.authenticationTags };
}
