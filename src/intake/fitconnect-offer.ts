import {
  DestinationUnavailable,
  type FitConnectDirectories,
  type OfferDecision,
  type WantedData,
  type WantedSubmission,
  decideOffer,
  leikaUrn,
  metadataVersionWritten,
  mismatchDetail,
} from '../adapters/fitconnect/index.js';
import type { ConfigFiles } from '../config/load.js';
import type { Destination } from '../config/routing-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import { findMapping, type Xoev } from '../xoev/index.js';
import { dataSchemaSetOf } from './produce-messages.js';

/** What asking a FIT-Connect destination needs: the gateway's shared directories and the configuration in force. */
export interface OfferDeps {
  /** Undefined where no delivery service is asked (unit tests of sealing): the destination then says nothing. */
  fitConnect?: FitConnectDirectories | undefined;
  config: ConfigFiles;
  xoev: Xoev;
}

export type FitConnectDestination = Destination & { adapter: Extract<Destination['adapter'], { kind: 'fitconnect' }> };

export const isFitConnectDestination = (destination: Destination): destination is FitConnectDestination =>
  destination.sealing === 'fitconnect' && destination.adapter.kind === 'fitconnect';

/**
 * The data a destination's mapping produces for a service, as a destination's offer is compared with it — known
 * from the routing and the mapping alone, so intake, the admin view and `config check` decide alike. A service
 * with no standard sends its validated data as JSON, named by its data schema's `$id`.
 */
export function wantedData(config: ConfigFiles, xoev: Xoev, destination: Destination, serviceKey: string): WantedData {
  const standard = config.services.get(serviceKey)?.definition.standard;
  if (!standard)
    return {
      mediaType: 'application/json',
      standard: 'json',
      version: '1',
      message: serviceKey,
      uris: [dataSchemaSetOf(config, serviceKey)],
    };
  const target = destination.standard;
  const mapping = findMapping(
    xoev.mappings,
    { standard: target.name, version: target.version, message: target.message },
    serviceKey,
  );
  const head = { standard: mapping.standard, version: mapping.version, message: target.message };
  if (mapping.format === 'json') return { mediaType: 'application/json', ...head, uris: [mapping.schemaUri] };
  const namespace = mapping.namespaces[mapping.rootPrefix];
  const schemaSet = xoev.schemaSets.get(`${mapping.standard}/${mapping.version}`)?.id;
  const [first, ...more] = [namespace, schemaSet].filter((u): u is string => u !== undefined);
  // A mapping's root prefix is checked against its namespaces when it is loaded: there is always a namespace.
  return { mediaType: 'application/xml', ...head, uris: [first ?? `${mapping.standard}/${mapping.version}`, ...more] };
}

/** What the gateway would send this destination for the service. */
export function wantedSubmission(
  deps: Omit<OfferDeps, 'fitConnect'>,
  destination: FitConnectDestination,
  serviceKey: string,
): WantedSubmission {
  return {
    serviceIdentifier: leikaUrn(serviceKey),
    data: wantedData(deps.config, deps.xoev, destination, serviceKey),
    metadataVersion: metadataVersionWritten,
    configuredSchemaUri: destination.adapter.submissionSchemaUri,
  };
}

/**
 * The destination's decision on the service, from its cached description: no network wait once it has been read.
 * Before the first successful read (a fresh start, the delivery service down since) it is read now.
 */
export async function askDestination(
  deps: OfferDeps,
  destination: FitConnectDestination,
  serviceKey: string,
): Promise<OfferDecision> {
  const wanted = wantedSubmission(deps, destination, serviceKey);
  const info = deps.fitConnect
    ? await deps.fitConnect.directoryFor(destination.adapter).info()
    : { metadataVersions: undefined, publicServices: undefined };
  return decideOffer(info, wanted);
}

/** Seconds after which a destination that could not be read is asked again (the directory's back-off). */
const retryUnreadableSeconds = 10;

/**
 * The schema a FIT-Connect destination's metadata names for the service's data: the one the destination offers for
 * what the mapping produces. A destination that does not take the submission is the operator's configuration
 * problem, answered as `destination-does-not-accept` (422) rather than sending what it would reject. One never read
 * so far (a fresh start while its delivery service is down): with a configured `submissionSchemaUri` the operator
 * has named the schema, and the submission is sealed with it (delivery waits for the service anyway); without one,
 * which schema to name is not known, and intake answers `unavailable` (503) with a Retry-After.
 */
export async function submissionSchemaFor(
  deps: OfferDeps,
  destination: FitConnectDestination,
  serviceKey: string,
): Promise<{ schemaUri: string; mimeType: string }> {
  let decision: OfferDecision;
  try {
    decision = await askDestination(deps, destination, serviceKey);
  } catch (error) {
    if (!(error instanceof DestinationUnavailable)) throw error;
    const configured = destination.adapter.submissionSchemaUri;
    if (configured !== undefined)
      return { schemaUri: configured, mimeType: wantedData(deps.config, deps.xoev, destination, serviceKey).mediaType };
    throw new AmtsboteError(
      'unavailable',
      `Destination ${destination.id} cannot be asked now which submissions it takes (its FIT-Connect delivery service did not answer); try again later.`,
      [],
      { destinationId: destination.id, retryAfter: retryUnreadableSeconds },
      { cause: error },
    );
  }
  if (decision.accepted) return decision.schema;
  const details = decision.mismatches.map(mismatchDetail);
  throw new AmtsboteError(
    'destination-does-not-accept',
    `Destination ${destination.id} (FIT-Connect) does not take this submission: ${details.join('; ')}. ` +
      "This is the gateway's configuration, not the portal's request; the submission was not accepted.",
    decision.mismatches.map((m, i) => ({
      pointer: m.reason === 'metadata-version-not-supported' ? '' : '/serviceKey',
      detail: details[i] ?? m.reason,
      code: m.reason,
    })),
    { destinationId: destination.id, reasons: decision.mismatches.map((m) => m.reason) },
  );
}
