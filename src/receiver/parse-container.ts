import { OpenSealedMessageError } from './errors.js';
import { isAttachmentId, SEALED_FORMAT, type SealedContainer } from './format.js';

const PART = 'container';

/** Reads a container from its JSON text (string or bytes) or an already parsed value, checking its shape. */
export function parseContainer(input: unknown): SealedContainer {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
    } catch {
      throw new OpenSealedMessageError('malformed-container', PART, 'not JSON');
    }
  }
  if (!isRecord(value)) throw new OpenSealedMessageError('malformed-container', PART, 'not a JSON object');
  if (value.format !== SEALED_FORMAT) {
    throw new OpenSealedMessageError(
      'unsupported-format',
      PART,
      `format must be "${SEALED_FORMAT}", found ${JSON.stringify(value.format)}`,
    );
  }
  for (const name of ['messageId', 'destinationId', 'encryptedMetadata', 'encryptedData'] as const) {
    if (typeof value[name] !== 'string' || value[name] === '')
      throw new OpenSealedMessageError('malformed-container', PART, `"${name}" must be a non-empty string`);
  }
  const attachments = value.encryptedAttachments;
  if (!isRecord(attachments))
    throw new OpenSealedMessageError('malformed-container', PART, '"encryptedAttachments" must be an object');
  const encryptedAttachments: Record<string, string> = {};
  for (const [id, jwe] of Object.entries(attachments)) {
    if (!isAttachmentId(id))
      throw new OpenSealedMessageError('malformed-container', PART, `${JSON.stringify(id)} is not an attachment id`);
    if (typeof jwe !== 'string')
      throw new OpenSealedMessageError('malformed-container', PART, `the attachment "${id}" is not a string`);
    Object.defineProperty(encryptedAttachments, id, {
      value: jwe,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    format: SEALED_FORMAT,
    messageId: value.messageId as string,
    destinationId: value.destinationId as string,
    encryptedMetadata: value.encryptedMetadata as string,
    encryptedData: value.encryptedData as string,
    encryptedAttachments,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}
