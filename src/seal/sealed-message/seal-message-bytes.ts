import { METADATA_CTY, SEALED_FORMAT, type SealedMetadata } from '../../receiver/format.js';
import type { GatewaySigningKey } from '../gateway-keys/types.js';
import { prepareCompactJwe, type PreparedCompactJwe } from '../lib/compact-jwe.js';
import type { RecipientEncryptionKey } from '../recipient-keys/check-recipient-jwk.js';
import { buildMetadata } from './build-metadata.js';
import { signMetadata } from './sign-metadata.js';
import type { SealInput, SealOptions } from './types.js';

/** A sealed message as the bytes that are stored and delivered. */
export interface SealedMessageBytes {
  /** UTF-8 JSON, the same bytes as `serializeContainer` of `sealMessage`'s container. */
  body: Buffer;
  metadata: SealedMetadata;
  signingKid: string;
  recipientKid: string;
  authenticationTags: { metadata: string; data: string; attachments: Record<string, string> };
}

/**
 * Seals one destination's message (`amtsbote-sealed/1`) as `sealMessage` does, but writes the container's
 * JSON text straight into one buffer of its final size: every part is encrypted into its place, so a
 * message with a 17 MB attachment exists once (its buffer), not as part strings, a container string and
 * that string's bytes for the store (issue 19, F4). The bytes equal `serializeContainer(container)`.
 */
export async function sealMessageToBytes(
  input: SealInput,
  keys: { signing: GatewaySigningKey; recipient: RecipientEncryptionKey },
  options: SealOptions = {},
): Promise<SealedMessageBytes> {
  const data = typeof input.data.content === 'string' ? Buffer.from(input.data.content, 'utf8') : input.data.content;
  const metadata = buildMetadata(input, data, keys.signing.kid, (options.clock ?? (() => new Date()))());
  const jws = await signMetadata(metadata, keys.signing);
  const part = (plaintext: Uint8Array, cty: string) =>
    prepareCompactJwe(
      { length: plaintext.length, pieces: [plaintext] },
      { kid: keys.recipient.kid, cty },
      keys.recipient.key,
    );
  // Members in the order JSON.stringify writes an object's own keys (integer-like ids first), as
  // serializeContainer does; fromEntries defines own members, so an id such as "__proto__" stays one.
  const byId = new Map(input.attachments.map((a) => [a.id, a]));
  const order = Object.keys(Object.fromEntries(input.attachments.map((a) => [a.id, true])));

  const text = (value: string) => Buffer.from(value, 'utf8');
  const segments: (Buffer | { jwe: PreparedCompactJwe; tag: (tag: string) => void })[] = [];
  const tags = { metadata: '', data: '' };
  const attachmentTags = new Map<string, string>();
  const head = `{"format":${JSON.stringify(SEALED_FORMAT)},"messageId":${JSON.stringify(input.messageId)},"destinationId":${JSON.stringify(input.destinationId)},"encryptedMetadata":"`;
  segments.push(text(head), {
    jwe: part(Buffer.from(jws, 'ascii'), METADATA_CTY),
    tag: (t) => {
      tags.metadata = t;
    },
  });
  segments.push(text('","encryptedData":"'), {
    jwe: part(data, input.data.mediaType),
    tag: (t) => {
      tags.data = t;
    },
  });
  segments.push(text('","encryptedAttachments":{'));
  order.forEach((id, i) => {
    const attachment = byId.get(id);
    if (!attachment) return;
    segments.push(text(`${i > 0 ? ',' : ''}${JSON.stringify(id)}:"`), {
      jwe: part(attachment.content, attachment.mediaType),
      tag: (t) => {
        attachmentTags.set(id, t);
      },
    });
    segments.push(text('"'));
  });
  segments.push(text('}}'));

  const size = segments.reduce((sum, s) => sum + (Buffer.isBuffer(s) ? s.length : s.jwe.size), 0);
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  // One part after another: each part's pieces of ciphertext are garbage before the next is encrypted.
  for (const s of segments) {
    if (Buffer.isBuffer(s)) {
      at += s.copy(body, at);
    } else {
      s.tag(s.jwe.writeTo(body, at));
      at += s.jwe.size;
    }
  }
  return {
    body,
    metadata,
    signingKid: keys.signing.kid,
    recipientKid: keys.recipient.kid,
    // Tags as sealMessage gives them: an own member per attachment id, whatever the id.
    authenticationTags: {
      metadata: tags.metadata,
      data: tags.data,
      attachments: Object.fromEntries(order.map((id) => [id, attachmentTags.get(id) ?? ''])),
    },
  };
}
