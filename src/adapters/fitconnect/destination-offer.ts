import { FITCONNECT_METADATA_SCHEMA } from '../../seal/index.js';
import type { DestinationInfo, SubmissionSchemaOffer } from './destination-info.js';

/** The metadata version the gateway writes (`2.1.0`), as destinations list theirs in `metadataVersions`. */
export const metadataVersionWritten = /\/metadata\/([^/]+)\//.exec(FITCONNECT_METADATA_SCHEMA)?.[1] ?? '';

/**
 * What the gateway would send a FIT-Connect destination for one service: the service's identifier, the data
 * the destination's mapping produces, and the metadata version the gateway writes.
 */
export interface WantedSubmission {
  /** `urn:de:fim:leika:leistung:<LeiKa key>`, as the submission's `publicService.identifier` names it. */
  serviceIdentifier: string;
  data: WantedData;
  /** The version of the metadata schema the gateway writes (`2.1.0`). */
  metadataVersion: string;
  /** The operator's `submissionSchemaUri`: when set, exactly this URI must be offered. */
  configuredSchemaUri?: string | undefined;
}

/** The data of a submission as the mapping produces them, and the URIs that name exactly their schema. */
export interface WantedData {
  mediaType: 'application/xml' | 'application/json';
  /** `xgewerbeanzeige`, `xmeld`; `json` for JSON data. */
  standard: string;
  version: string;
  /** The message (`alg.gewerbemeldung.0300`), which a schema URI's fragment may name. */
  message: string;
  /**
   * URIs that name this schema and no other: the XML namespace of the message (versioned in XÖV), the JSON
   * Schema's `$id`, the schema set's id. The first is what the metadata names when the destination does not say.
   */
  uris: readonly [string, ...string[]];
}

/** Why a destination would reject what the gateway sends: the operator's routing or mapping does not fit. */
export type OfferMismatch =
  | { reason: 'service-not-offered'; service: string; offered: string[] }
  | { reason: 'schema-not-offered'; service: string; wanted: string; offered: SubmissionSchemaOffer[] }
  | { reason: 'metadata-version-not-supported'; version: string; offered: string[] };

export type OfferDecision =
  | { accepted: true; schema: { schemaUri: string; mimeType: string } }
  | { accepted: false; mismatches: OfferMismatch[] };

/** The LeiKa URN FIT-Connect names a service by. */
export const leikaUrn = (serviceKey: string) => `urn:de:fim:leika:leistung:${serviceKey}`;

/**
 * Decides, from the destination's own description, whether it takes the submission, and which of its offered
 * schemas the metadata names (`contentStructure.data.submissionSchema`). What the destination does not say (no
 * `publicServices`, no `submissionSchemas` for the service, no `metadataVersions`) is no mismatch: the schema
 * is then the configured one or the data's own URI. An empty list says "none" and is a mismatch.
 */
export function decideOffer(
  info: Pick<DestinationInfo, 'metadataVersions' | 'publicServices'>,
  wanted: WantedSubmission,
): OfferDecision {
  const mismatches: OfferMismatch[] = [];
  if (info.metadataVersions !== undefined && !info.metadataVersions.includes(wanted.metadataVersion))
    mismatches.push({
      reason: 'metadata-version-not-supported',
      version: wanted.metadataVersion,
      offered: [...info.metadataVersions],
    });

  const unsaid = { schemaUri: wanted.configuredSchemaUri ?? wanted.data.uris[0], mimeType: wanted.data.mediaType };
  let schema: { schemaUri: string; mimeType: string } | undefined = unsaid;
  if (info.publicServices !== undefined) {
    const service = info.publicServices.find((s) => s.identifier === wanted.serviceIdentifier);
    if (!service) {
      schema = undefined;
      mismatches.push({
        reason: 'service-not-offered',
        service: wanted.serviceIdentifier,
        offered: info.publicServices.map((s) => s.identifier),
      });
    } else if (service.submissionSchemas !== undefined) {
      const chosen = chooseSchema(service.submissionSchemas, wanted);
      schema = chosen && { schemaUri: chosen.schemaUri, mimeType: wanted.data.mediaType };
      if (!chosen)
        mismatches.push({
          reason: 'schema-not-offered',
          service: wanted.serviceIdentifier,
          wanted: describeWantedSchema(wanted),
          offered: [...service.submissionSchemas],
        });
    }
  }
  return mismatches.length > 0 || !schema ? { accepted: false, mismatches } : { accepted: true, schema };
}

/**
 * The offered schema for the produced data: the configured URI exactly, or else one that names the standard and
 * version the mapping produces (and, where its fragment names a message, this message), in the media type
 * produced. Among several, one whose fragment names the message wins over one that names none; then the
 * destination's order.
 */
function chooseSchema(
  offered: readonly SubmissionSchemaOffer[],
  wanted: WantedSubmission,
): SubmissionSchemaOffer | undefined {
  const inMediaType = offered.filter(
    (o) => o.mimeType === undefined || sameMediaType(o.mimeType, wanted.data.mediaType),
  );
  if (wanted.configuredSchemaUri !== undefined)
    return inMediaType.find((o) => o.schemaUri === wanted.configuredSchemaUri);
  const matching = inMediaType.filter((o) => namesProducedSchema(o.schemaUri, wanted.data));
  return matching.find((o) => fragmentOf(o.schemaUri) !== undefined) ?? matching[0];
}

/** XÖV's URN of a standard's version: `urn:xoev-de:<publisher>:standard:<name>_<version>`. */
const xoevStandardUrn = /^urn:xoev-de:[^:]+:standard:([^_]+)_(.+)$/i;

/**
 * Whether a schema URI names the data's standard and version. Two forms are recognised: one of the URIs that
 * name exactly this schema (the message's XML namespace, e.g. `http://www.xgewerbeanzeige.de/spezifikation/2.2`,
 * or a JSON Schema's `$id`), and XÖV's URN of the standard's version, whose name's last dot-separated part is the
 * standard (`urn:xoev-de:kosit:standard:xinneres.xmeld_26.11` names XMeld 26.11). A fragment
 * (`#baugenehmigung.antrag.0200`, as the Routing API's example has it) must name the message produced.
 */
export function namesProducedSchema(schemaUri: string, data: WantedData): boolean {
  const fragment = fragmentOf(schemaUri);
  if (fragment !== undefined && fragment !== data.message && !data.message.endsWith(`.${fragment}`)) return false;
  const base = fragment === undefined ? schemaUri : schemaUri.slice(0, schemaUri.indexOf('#'));
  if (data.uris.includes(base)) return true;
  if (data.mediaType !== 'application/xml') return false;
  const urn = xoevStandardUrn.exec(base);
  if (!urn) return false;
  const name = (urn[1] ?? '').toLowerCase().split('.').at(-1);
  return name === data.standard.toLowerCase() && sameVersion(urn[2] ?? '', data.version);
}

const fragmentOf = (uri: string): string | undefined => {
  const at = uri.indexOf('#');
  return at < 0 || at === uri.length - 1 ? undefined : uri.slice(at + 1);
};

/** `2.2` and `2.2.0` are one version; `2.2` and `2.20` are not. */
function sameVersion(a: string, b: string): boolean {
  const parts = (v: string) => v.replace(/(\.0+)+$/, '');
  return parts(a) === parts(b);
}

/** Media types compare without parameters and case (`application/XML; charset=utf-8` is `application/xml`). */
function sameMediaType(a: string, b: string): boolean {
  const bare = (t: string) => (t.split(';')[0] ?? '').trim().toLowerCase();
  return bare(a) === bare(b);
}

function describeWantedSchema(wanted: WantedSubmission): string {
  const { data } = wanted;
  return wanted.configuredSchemaUri !== undefined
    ? `the schema ${wanted.configuredSchemaUri} (${data.mediaType})`
    : `${data.standard} ${data.version} (${data.message}, ${data.mediaType})`;
}

/** A mismatch in a sentence for the portal's developer: what the destination does not take, nothing internal. */
export function mismatchDetail(mismatch: OfferMismatch): string {
  switch (mismatch.reason) {
    case 'service-not-offered':
      return `it does not offer the service ${mismatch.service}`;
    case 'schema-not-offered':
      return `it does not take ${mismatch.wanted} for the service ${mismatch.service}`;
    case 'metadata-version-not-supported':
      return `it does not read FIT-Connect metadata ${mismatch.version}`;
  }
}

/** A mismatch in a sentence for the operator: also what the destination does offer instead. */
export function mismatchReport(mismatch: OfferMismatch): string {
  const list = (items: string[]) => (items.length === 0 ? 'none' : items.join(', '));
  switch (mismatch.reason) {
    case 'service-not-offered':
      return `${mismatchDetail(mismatch)} (it offers: ${list(mismatch.offered)})`;
    case 'schema-not-offered':
      return `${mismatchDetail(mismatch)} (it offers: ${list(mismatch.offered.map((o) => (o.mimeType ? `${o.schemaUri} (${o.mimeType})` : o.schemaUri)))})`;
    case 'metadata-version-not-supported':
      return `${mismatchDetail(mismatch)} (it reads: ${list(mismatch.offered)})`;
  }
}
