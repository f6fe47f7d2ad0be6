import { randomUUID } from 'node:crypto';
import type { RecipientEncryptionKey } from '../recipient-keys/check-recipient-jwk.js';
import { authenticationTag, encryptPart } from '../sealed-message/encrypt-part.js';
import { buildFitConnectMetadata } from './build-metadata.js';
import { FITCONNECT_CONTAINER_FORMAT } from './container.js';
import { DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES, type FitConnectSealed, type FitConnectSealInput } from './types.js';

/**
 * Seals a submission in FIT-Connect's format: the metadata JSON (`cty: application/json`), the data
 * (`cty` = its media type) and every attachment (`cty` = its media type) each as a compact JWE
 * `{alg: RSA-OAEP-256, enc: A256GCM, kid}` to the destination's key, no `zip`. FIT-Connect has no sender
 * signature: the metadata's SHA-512 hashes bind the parts together. Attachments get the UUIDv4 ids
 * FIT-Connect requires; the portal's ids stay inside Amtsbote. Data above the destination's threshold go as
 * one more attachment with `purpose: data`, and `encryptedData` is the empty placeholder (PROTOCOL.md §2).
 */
export function sealFitConnect(
  input: FitConnectSealInput,
  recipient: RecipientEncryptionKey,
  options: { newAttachmentId?: () => string } = {},
): Promise<FitConnectSealed> {
  // a promise as before, so that a refusal (invalid metadata) reaches callers as a rejection, not a throw
  return Promise.resolve().then(() => sealNow(input, recipient, options));
}

function sealNow(
  input: FitConnectSealInput,
  recipient: RecipientEncryptionKey,
  options: { newAttachmentId?: () => string },
): FitConnectSealed {
  const newId = options.newAttachmentId ?? randomUUID;
  const data = typeof input.data.content === 'string' ? Buffer.from(input.data.content, 'utf8') : input.data.content;
  const attachmentIds = input.attachments.map(() => newId());
  const asAttachment = data.byteLength > (input.dataAttachmentAboveBytes ?? DEFAULT_DATA_ATTACHMENT_ABOVE_BYTES);
  const dataAttachmentId = asAttachment ? newId() : undefined;
  const authenticationDataSetId = input.authentication === undefined ? undefined : newId();
  const metadata = buildFitConnectMetadata(input, data, attachmentIds, { dataAttachmentId, authenticationDataSetId });
  // One part after another (issue 19, F4): concurrent encryption would hold every part's buffers at once.
  const encryptedMetadata = encryptPart(Buffer.from(JSON.stringify(metadata), 'utf8'), 'application/json', recipient);
  // Large data: the empty placeholder here, the data's JWE as the last attachment (FIT-Connect's `purpose: data`).
  const encryptedData = dataAttachmentId === undefined ? encryptPart(data, input.data.mediaType, recipient) : '';
  const attachments = input.attachments.map((a, i) => ({
    attachmentId: attachmentIds[i] ?? '',
    encrypted: encryptPart(a.content, a.mediaType, recipient),
  }));
  if (dataAttachmentId !== undefined)
    attachments.push({ attachmentId: dataAttachmentId, encrypted: encryptPart(data, input.data.mediaType, recipient) });
  return {
    container: {
      format: FITCONNECT_CONTAINER_FORMAT,
      messageId: input.messageId,
      destinationId: input.destinationId,
      publicService: { name: input.service.name, identifier: `urn:de:fim:leika:leistung:${input.service.key}` },
      encryptedMetadata,
      encryptedData,
      attachments,
    },
    metadata,
    recipientKid: recipient.kid,
    authenticationTags: {
      metadata: authenticationTag(encryptedMetadata),
      data: authenticationTag(encryptedData),
      attachments: Object.fromEntries(attachments.map((a) => [a.attachmentId, authenticationTag(a.encrypted)])),
    },
  };
}
