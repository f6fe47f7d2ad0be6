import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECEIVER_KEY_FILES } from './keys-init.js';
import { readPrivateJwkFile } from './lib/read-private-jwk.js';
import { loadPinnedJwks } from './load-pinned-jwks.js';
import { openSealedMessage, type OpenedMessage } from './open-sealed-message.js';

/** Where the CLI commands that start from a received message find it and the keys to open it with. */
export interface MessageFileOptions {
  messageFile: string;
  gatewayJwks: string;
  /** Private encryption key files; absent: the kit's default file in `keysDir` (or the current folder). */
  keyFiles?: string[] | undefined;
  keysDir?: string | undefined;
  destinationId?: string | undefined;
}

/**
 * Opens a received message file for `receiver accept|reject` and `receiver reply`, which both need what the
 * message says (its ids) before they sign anything. Throws OpenSealedMessageError when the message is refused.
 */
export async function openMessageFile(options: MessageFileOptions): Promise<OpenedMessage> {
  const keyFiles = options.keyFiles?.length
    ? options.keyFiles
    : [join(options.keysDir ?? '.', RECEIVER_KEY_FILES.encryption)];
  return openSealedMessage(readFileSync(options.messageFile, 'utf8'), {
    recipientKeys: keyFiles.map(readPrivateJwkFile),
    gatewayJwks: await loadPinnedJwks(options.gatewayJwks),
    ...(options.destinationId === undefined ? {} : { expectedDestinationId: options.destinationId }),
  });
}
