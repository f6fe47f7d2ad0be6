import type { ConfigFiles } from '../config/load.js';
import type { Routing } from '../config/routing-schema.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import type { DataValidator } from './data-validator.js';
import { envelopeSchema, type Envelope } from './envelope-schema.js';
import { messageFor } from './produce-messages.js';
import { resolveRoute } from '../routing/resolve.js';
import { normalizeNfc } from '../xoev/din91379/normalize.js';
import type { Xoev } from '../xoev/index.js';
import type { StoredPortal } from '../store/types.js';

export interface MappingDryRun {
  dataErrors: FieldError[];
  /** `xml` holds the produced message, XML or (for `mediaType` application/json) JSON. */
  messages: {
    destinationId: string;
    target: string;
    xml?: string;
    mediaType?: string;
    schemaSet?: string;
    errors?: FieldError[];
    problem?: string;
  }[];
}

/**
 * What `amtsbote map` shows an admin after changing a mapping: the data checked as intake would, then each
 * destination's message mapped and validated — nothing stored, nothing sent. `input` is an envelope as in
 * examples/ or just its `data`.
 */
export async function dryRunMapping(options: {
  config: ConfigFiles;
  xoev: Xoev;
  validators: ReadonlyMap<string, DataValidator>;
  routing: Routing;
  serviceKey: string;
  regionKey: string;
  input: unknown;
  destinationId?: string | undefined;
  productVersion: string;
  now: Date;
  /** The portal whose identity messages written by the portal carry. */
  portal?: StoredPortal | undefined;
}): Promise<MappingDryRun> {
  const raw = options.input;
  const isEnvelope = typeof raw === 'object' && raw !== null && 'data' in raw && 'serviceKey' in raw;
  const candidate = isEnvelope ? (raw as Record<string, unknown>) : { data: raw };
  const parsed = envelopeSchema.safeParse({
    ...candidate,
    serviceKey: options.serviceKey,
    regionKey: options.regionKey,
  });
  if (!parsed.success)
    throw new AmtsboteError(
      'invalid-envelope',
      `the input is neither an envelope nor data: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const envelope: Envelope = parsed.data;
  const data = normalizeNfc(envelope.data);
  const validator = options.validators.get(options.serviceKey);
  if (!validator) throw new AmtsboteError('unknown-service', `no service ${options.serviceKey}`);
  const dataErrors = validator(data);
  const route = resolveRoute(options.routing, options.serviceKey, options.regionKey, options.now);
  const destinations = route.destinations.filter(
    (d) => options.destinationId === undefined || d.id === options.destinationId,
  );
  if (destinations.length === 0)
    throw new AmtsboteError(
      'unroutable-region',
      `no destination${options.destinationId ? ` ${options.destinationId}` : ''} for this service and region`,
    );
  const messages: MappingDryRun['messages'] = [];
  for (const destination of destinations) {
    const target = `${destination.standard.name} ${destination.standard.version} ${destination.standard.message}`;
    try {
      const produced = await messageFor(
        {
          config: options.config,
          xoev: options.xoev,
          productVersion: options.productVersion,
          envelope,
          data,
          submissionId: '00000000-0000-4000-8000-000000000001',
          createdAt: options.now,
          portal: options.portal,
          contents: new Map((envelope.attachments ?? []).map((a) => [a.id, Buffer.from(a.content ?? '', 'base64')])),
        },
        destination,
        '00000000-0000-4000-8000-000000000002',
      );
      messages.push({
        destinationId: destination.id,
        target,
        ...(produced
          ? { xml: produced.content, mediaType: produced.mediaType, schemaSet: produced.schemaSet }
          : { problem: 'this service has no XÖV standard: its data travel as JSON' }),
      });
    } catch (error) {
      if (!(error instanceof AmtsboteError)) throw error;
      messages.push({ destinationId: destination.id, target, problem: error.message, errors: error.errors });
    }
  }
  return { dataErrors, messages };
}
