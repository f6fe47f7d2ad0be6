import type { SealedContainer } from '../../receiver/format.js';

/** The container as the JSON text that is stored and delivered (members in the format's order). */
export function serializeContainer(container: SealedContainer): string {
  return JSON.stringify({
    format: container.format,
    messageId: container.messageId,
    destinationId: container.destinationId,
    encryptedMetadata: container.encryptedMetadata,
    encryptedData: container.encryptedData,
    encryptedAttachments: container.encryptedAttachments,
  });
}
