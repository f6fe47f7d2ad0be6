import type { ConfigFiles } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import { agsFromArs } from '../config/identifiers.js';
import type { Envelope } from './envelope-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import type { StoredPortal } from '../store/types.js';
import { produceMessage, type Authority, type ProducedMessage, type Xoev } from '../xoev/index.js';

export interface MessageInput {
  config: ConfigFiles;
  xoev: Xoev;
  productVersion: string;
  envelope: Envelope;
  /** Validated, NFC-normalised data. */
  data: Record<string, unknown>;
  submissionId: string;
  createdAt: Date;
  /** The submitting portal: the `autor` of messages it writes itself (XMeld online-service messages). */
  portal?: StoredPortal | undefined;
  /** Attachment contents by envelope id, for mappings that embed one. */
  contents?: ReadonlyMap<string, Buffer> | undefined;
}

/**
 * The authority a message is written on behalf of (its `autor`): the one the service names, of the
 * submission's region. A region routed by prefix but not described in gateway.yaml still has an AGS,
 * derived from its ARS, so the message stays addressable.
 */
export function authorFor(config: ConfigFiles, role: string, regionKey: string): Authority {
  const region = config.regions.get(regionKey);
  const known = region?.authorities[role];
  if (known) return known;
  const ags = agsFromArs(regionKey);
  return {
    praefix: 'MELDID',
    kennung: ags,
    kennungListUri: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags',
    name: `${role} ${ags}`,
  };
}

/**
 * The XÖV message for one destination, mapped and XSD-validated — in the request, so that a portal learns
 * at once when its data cannot become a valid message. Undefined for a service with no standard (its
 * validated data travel as JSON).
 */
export async function messageFor(
  input: MessageInput,
  destination: Destination,
  messageId: string,
): Promise<ProducedMessage | undefined> {
  const service = input.config.services.get(input.envelope.serviceKey);
  const standard = service?.definition.standard;
  if (!standard) return undefined;
  const region = input.config.regions.get(input.envelope.regionKey);
  let author: Authority;
  if (standard.author === 'portal') {
    if (!input.portal?.identity) {
      throw new AmtsboteError(
        'forbidden',
        `Service ${input.envelope.serviceKey} is written by the portal itself, and this portal has no DVDV identity configured.`,
      );
    }
    author = input.portal.identity;
  } else {
    author = authorFor(input.config, standard.author ?? 'gewerbeamt', input.envelope.regionKey);
  }
  const attachments = new Map(
    (input.envelope.attachments ?? []).map((a) => [
      a.id,
      { mediaType: a.mediaType, filename: a.filename, content: input.contents?.get(a.id) ?? Buffer.alloc(0) },
    ]),
  );
  return produceMessage(
    input.xoev,
    {
      standard: destination.standard.name,
      version: destination.standard.version,
      message: destination.standard.message,
    },
    {
      data: input.data,
      envelope: {
        serviceKey: input.envelope.serviceKey,
        regionKey: input.envelope.regionKey,
        ...(input.envelope.reference === undefined ? {} : { reference: input.envelope.reference }),
        test: input.envelope.test ?? false,
      },
      message: { id: messageId, createdAt: input.createdAt.toISOString() },
      region: {
        ars: input.envelope.regionKey,
        ags: agsFromArs(input.envelope.regionKey),
        name: region?.name ?? input.envelope.regionKey,
      },
      author,
      attachments,
      reader: destination.leser,
      product: {
        name: input.config.gateway.product.name,
        vendor: input.config.gateway.product.vendor,
        version: input.productVersion,
      },
      submission: { id: input.submissionId },
    },
  );
}

/** The schema a service's plain JSON data (no standard, no mapping) names: its data schema's `$id`. */
export function dataSchemaSetOf(config: ConfigFiles, serviceKey: string): string {
  const id = config.services.get(serviceKey)?.dataSchema.$id;
  return typeof id === 'string' ? id : `amtsbote:service:${serviceKey}`;
}
