import { z } from 'zod';
import { secretRefSchema } from '../../lib/secret-ref.js';
import { DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES } from '../../seal/fitconnect/types.js';

/**
 * FIT-Connect sender (Onlinedienst) towards one destination (Zustellpunkt) of a delivery service.
 * URLs are the bases the FIT-Connect environments publish (e.g. test: token
 * `https://auth-testing.fit-connect.fitko.dev/token`, submission API
 * `https://test.fit-connect.fitko.dev/submission-api`).
 */
export const kind = 'fitconnect';

export const fitconnectAdapterConfigSchema = z.strictObject({
  kind: z.literal(kind),
  /** The OAuth 2.0 token endpoint (client credentials, sent as form fields). */
  tokenUrl: z.url({ protocol: /^https?$/ }),
  /** The Submission API's base, without the version segment; the destination's keys are read there too. */
  submissionApiUrl: z.url({ protocol: /^https?$/ }),
  /** `v2` as current clients call it; `v1` for delivery services that still serve the documented v1 paths. */
  apiVersion: z.enum(['v1', 'v2']).default('v2'),
  clientId: z.string().min(1).max(200),
  /** The sender client's secret, as a reference (`env:` / `file:`), never inline. */
  clientSecret: secretRefSchema,
  /**
   * The FIT-Connect destination id (UUID), as the Self-Service-Portal shows it. Unless routing names the keys
   * itself, the destination's keys are read from the Submission API under this id (destination-keys.ts).
   */
  destinationId: z.uuid(),
  /**
   * The schema the metadata names for the data (`contentStructure.data.submissionSchema.schemaUri`), when the
   * operator wants one URI only: the destination must then offer exactly it. Without it the gateway takes the one
   * the destination offers for the standard and version the mapping produces (destination-offer.ts).
   */
  submissionSchemaUri: z.url().optional(),
  /** The delivery service's JWKS for its own event-log SETs; default `<submissionApiUrl>/.well-known/jwks.json`. */
  deliveryServiceJwksUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** How often the event log of delivered submissions is read for the recipient's accept or reject. */
  pollSeconds: z.number().min(1).max(86_400).default(60),
  /**
   * How long the destination's info (status, encryptionKid, offered services and schemas) is used before it is
   * read again, in the background; a `kid` the cache lacks is read at once.
   */
  destinationRefreshSeconds: z.number().int().min(1).max(86_400).default(300),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /**
   * FIT-Connect requires senders to check each destination key's `x5c` chain up to the administration PKI
   * (gateway.yaml `recipientKeys.trustAnchors`): `required`, the default, refuses a key without such a chain.
   * `off` takes keys without a chain — only for test environments whose keys are self-generated; say why.
   */
  keyCertificateChain: z.enum(['required', 'off']).default('required'),
  /**
   * Data larger than this many bytes go as an attachment with `purpose: data` (FIT-Connect's rule for data over
   * its recommended 10 MB); default 10 000 000 (see DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES for why not 10 MiB).
   * Read when the message is sealed, at intake (or re-sealed from the escrow copy).
   */
  dataAttachmentAboveBytes: z.number().int().min(0).default(DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES),
});

export type FitConnectAdapterConfig = z.output<typeof fitconnectAdapterConfigSchema>;

/** Where the delivery service publishes the keys of its own SETs. */
export function deliveryServiceJwksUrl(config: FitConnectAdapterConfig): string {
  return config.deliveryServiceJwksUrl ?? `${config.submissionApiUrl.replace(/\/+$/, '')}/.well-known/jwks.json`;
}
