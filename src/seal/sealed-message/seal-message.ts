import { METADATA_CTY, SEALED_FORMAT, type SealedContainer } from '../../receiver/format.js';
import type { GatewaySigningKey } from '../gateway-keys/types.js';
import type { RecipientEncryptionKey } from '../recipient-keys/check-recipient-jwk.js';
import { buildMetadata } from './build-metadata.js';
import { authenticationTag, encryptPart } from './encrypt-part.js';
import { signMetadata } from './sign-metadata.js';
import type { SealedMessage, SealInput, SealOptions } from './types.js';

/**
 * Seals one destination's message (`amtsbote-sealed/1`): the metadata is signed once by the gateway
 * (PS512), then the signed metadata, the data and every attachment are each encrypted for the
 * recipient (RSA-OAEP-256 + A256GCM), one after another.
 */
export async function sealMessage(
  input: SealInput,
  keys: { signing: GatewaySigningKey; recipient: RecipientEncryptionKey },
  options: SealOptions = {},
): Promise<SealedMessage> {
  const data = typeof input.data.content === 'string' ? Buffer.from(input.data.content, 'utf8') : input.data.content;
  const metadata = buildMetadata(input, data, keys.signing.kid, (options.clock ?? (() => new Date()))());
  const jws = await signMetadata(metadata, keys.signing);
  // One part after another, not concurrently: each part's ciphertext buffer is garbage before the next is made.
  const encryptedMetadata = encryptPart(Buffer.from(jws, 'ascii'), METADATA_CTY, keys.recipient);
  const encryptedData = encryptPart(data, input.data.mediaType, keys.recipient);
  const attachmentJwes = input.attachments.map(
    (a) => [a.id, encryptPart(a.content, a.mediaType, keys.recipient)] as const,
  );
  // fromEntries defines own members, so an id such as "__proto__" stays an ordinary member.
  const encryptedAttachments = Object.fromEntries(attachmentJwes);
  const tags = Object.fromEntries(attachmentJwes.map(([id, jwe]) => [id, authenticationTag(jwe)]));
  const container: SealedContainer = {
    format: SEALED_FORMAT,
    messageId: input.messageId,
    destinationId: input.destinationId,
    encryptedMetadata,
    encryptedData,
    encryptedAttachments,
  };
  return {
    container,
    metadata,
    signingKid: keys.signing.kid,
    recipientKid: keys.recipient.kid,
    authenticationTags: {
      metadata: authenticationTag(encryptedMetadata),
      data: authenticationTag(encryptedData),
      attachments: tags,
    },
  };
}
