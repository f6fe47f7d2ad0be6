import { OpenSealedMessageError } from './errors.js';
import { METADATA_CTY, type DataMediaType, type SealedMetadata } from './format.js';
import { decryptPart, type DecryptedPart } from './decrypt-part.js';
import { sha512 } from '../lib/sha512.js';
import { parseContainer } from './parse-container.js';
import { preparePinnedJwks, type JsonWebKeySet } from './pinned-jwks.js';
import { prepareRecipientKeys, type RecipientKeyRing, type RecipientPrivateKey } from './recipient-keys.js';
import { verifyMetadata } from './verify-metadata.js';

export interface OpenOptions {
  /** The receiver's private encryption key(s); the JWE `kid` picks one. */
  recipientKeys: RecipientPrivateKey | readonly RecipientPrivateKey[];
  /** The gateway's public signing keys as the receiver pinned them (file or configured URL, never the message). */
  gatewayJwks: JsonWebKeySet;
  /** The receiver's own destination id: a message for another destination is refused. */
  expectedDestinationId?: string;
}

export interface OpenedAttachment {
  content: Buffer;
  mediaType: string;
  filename: string;
}

export interface OpenedMessage {
  /** The verified metadata (signed by the gateway). */
  metadata: SealedMetadata;
  /** The compact JWS as received: evidence of what the gateway signed. */
  signedMetadata: string;
  signingKid: string;
  data: Buffer;
  dataMediaType: DataMediaType;
  /** Keyed by attachment id, in the metadata's order. */
  attachments: Map<string, OpenedAttachment>;
  /** JWE authentication tags, as an accept receipt (FIT-Connect `authenticationTags`) lists them. */
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}

/**
 * Opens an `amtsbote-sealed/1` message: decrypts every part, verifies the gateway's signature with a
 * pinned key, checks that the container belongs to the signed metadata and that every part has the
 * signed SHA-512, size and media type. Throws OpenSealedMessageError with a precise code otherwise.
 */
export async function openSealedMessage(input: unknown, options: OpenOptions): Promise<OpenedMessage> {
  const container = parseContainer(input);
  const keys = prepareRecipientKeys(options.recipientKeys);
  const pinned = preparePinnedJwks(options.gatewayJwks);

  const sealedMetadata = await decryptPart(container.encryptedMetadata, 'metadata', keys);
  if (sealedMetadata.cty !== METADATA_CTY) {
    throw new OpenSealedMessageError(
      'content-type-mismatch',
      'metadata',
      `the metadata JWE must have cty ${METADATA_CTY}, found ${sealedMetadata.cty}`,
    );
  }
  const signedMetadata = sealedMetadata.plaintext.toString('utf8');
  const { metadata, kid } = await verifyMetadata(signedMetadata, pinned);

  if (container.messageId !== metadata.messageId) {
    throw new OpenSealedMessageError(
      'message-mismatch',
      'container',
      `the container's messageId "${container.messageId}" is not the signed "${metadata.messageId}"`,
    );
  }
  if (container.destinationId !== metadata.destinationId) {
    throw new OpenSealedMessageError(
      'message-mismatch',
      'container',
      `the container's destinationId "${container.destinationId}" is not the signed "${metadata.destinationId}"`,
    );
  }
  if (options.expectedDestinationId !== undefined && metadata.destinationId !== options.expectedDestinationId) {
    throw new OpenSealedMessageError(
      'message-mismatch',
      'container',
      `the message is for "${metadata.destinationId}", not for this receiver ("${options.expectedDestinationId}")`,
    );
  }
  const listed = metadata.contentStructure.attachments;
  const carried = Object.keys(container.encryptedAttachments);
  const missing = listed
    .filter((a) => !Object.hasOwn(container.encryptedAttachments, a.attachmentId))
    .map((a) => a.attachmentId);
  const extra = carried.filter((id) => !listed.some((a) => a.attachmentId === id));
  if (missing.length > 0 || extra.length > 0) {
    throw new OpenSealedMessageError(
      'attachment-set-mismatch',
      'container',
      [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        extra.length > 0 ? `not signed ${extra.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }

  // The parts decrypt in parallel (RSA runs on the thread pool); a failure is reported for the first
  // failing part in a fixed order (data, then attachments as listed), whatever finished first.
  const settled = await Promise.allSettled([
    openPart(container.encryptedData, 'data', metadata.contentStructure.data, keys),
    ...listed.map((a) =>
      openPart(container.encryptedAttachments[a.attachmentId], `attachment:${a.attachmentId}`, a, keys),
    ),
  ]);
  const parts = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason as Error;
    return result.value;
  });
  const [data, ...attachmentParts] = parts;
  if (!data) throw new OpenSealedMessageError('malformed-container', 'data', 'the data part is missing');

  const attachments = new Map<string, OpenedAttachment>();
  for (const part of attachmentParts)
    attachments.set(part.id, { content: part.plaintext, mediaType: part.mediaType, filename: part.filename });
  return {
    metadata,
    signedMetadata,
    signingKid: kid,
    data: data.plaintext,
    dataMediaType: metadata.contentStructure.data.mediaType,
    attachments,
    authenticationTags: {
      metadata: sealedMetadata.tag,
      data: data.tag,
      attachments: Object.fromEntries(attachmentParts.map((p) => [p.id, p.tag])),
    },
  };
}

/** Decrypts a part and checks it against its signed entry: media type, size, SHA-512. */
async function openPart(
  jwe: unknown,
  part: string,
  expected: { mediaType: string; size: number; hash: { content: string }; attachmentId?: string; filename?: string },
  keys: RecipientKeyRing,
): Promise<DecryptedPart & { id: string; mediaType: string; filename: string }> {
  const decrypted = await decryptPart(jwe, part, keys);
  if (decrypted.cty !== expected.mediaType) {
    throw new OpenSealedMessageError(
      'content-type-mismatch',
      part,
      `the JWE cty "${decrypted.cty}" is not the signed media type "${expected.mediaType}"`,
    );
  }
  if (decrypted.plaintext.length !== expected.size) {
    throw new OpenSealedMessageError(
      'hash-mismatch',
      part,
      `${decrypted.plaintext.length} bytes, the signed size is ${expected.size}`,
    );
  }
  if (sha512(decrypted.plaintext) !== expected.hash.content) {
    throw new OpenSealedMessageError('hash-mismatch', part, 'the SHA-512 differs from the signed hash');
  }
  return {
    ...decrypted,
    id: expected.attachmentId ?? 'data',
    mediaType: expected.mediaType,
    filename: expected.filename ?? '',
  };
}
