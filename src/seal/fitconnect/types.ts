import type { DataMediaType } from '../../receiver/format.js';
import type { SealAttachment } from '../sealed-message/types.js';
import type { FitConnectContainer } from './container.js';
import type { FitConnectMetadata } from './metadata-schema.js';

/** Everything one FIT-Connect submission is made of. */
export interface FitConnectSealInput {
  /** Amtsbote's message id (the delivery), kept beside the FIT-Connect ids. */
  messageId: string;
  /** The FIT-Connect destination id (UUID). */
  destinationId: string;
  service: { key: string; name: string };
  submissionSchemaUri: string;
  /** The portal's own case reference (not personal data). */
  reference?: string | undefined;
  receivedAt: Date;
  author: FitConnectMetadata['author'];
  data: { content: Uint8Array | string; mediaType: DataMediaType };
  attachments: readonly SealAttachment[];
}

export interface FitConnectSealed {
  container: FitConnectContainer;
  metadata: FitConnectMetadata;
  recipientKid: string;
  /** FIT-Connect `authenticationTags`, attachments keyed by their announced UUIDs: what an accept repeats. */
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}
