import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOpenSealedMessageError } from './errors.js';
import { RECEIVER_KEY_FILES, receiverKeysInit } from './keys-init.js';
import { readPrivateJwkFile } from './lib/read-private-jwk.js';
import { loadPinnedJwks } from './load-pinned-jwks.js';
import { openSealedMessage } from './open-sealed-message.js';
import { openMessageFile } from './open-message-file.js';
import { writeOpened } from './write-opened.js';
import { buildReceipt, sendReceipt, type ReceiptProblem } from './build-receipt.js';

/**
 * What a CLI command prints and how it exits: 0 done, 1 the message was refused (stderr names the
 * reason code and part), 2 the command could not run (files, keys, options).
 */
export interface CommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

/** `amtsbote receiver keys init [--dir <dir>] [--kid-prefix <prefix>]` */
export async function runReceiverKeysInit(options: { dir: string; kidPrefix?: string }): Promise<CommandResult> {
  try {
    const result = await receiverKeysInit(
      options.dir,
      options.kidPrefix === undefined ? {} : { kidPrefix: options.kidPrefix },
    );
    return {
      exitCode: 0,
      stdout: JSON.stringify(result.publicJwks, null, 2) + '\n',
      stderr:
        `Created ${result.files.encryption} (kid ${result.encryptionKid}) and ${result.files.signing} (kid ${result.signingKid}), owner-readable only.\n` +
        `Register the public JWKS above (also in ${result.files.publicJwks}) with the gateway operator: ` +
        `the "enc" key as the destination's encryptionKey, the "sig" key as its receiptKey.\n`,
    };
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `receiver keys init: ${(error as Error).message}\n` };
  }
}

export interface ReceiverOpenOptions {
  messageFile: string;
  outDir: string;
  /** The gateway JWKS the receiver pinned: a file or the gateway's jwks.json URL. */
  gatewayJwks: string;
  /** Private encryption key files; default `<keysDir>/encryption.private-jwk.json`. */
  keyFiles?: string[];
  keysDir?: string;
  /** The receiver's destination id; messages for another destination are refused. */
  destinationId?: string;
}

/**
 * `amtsbote receiver open <message-file> --out <dir> --gateway-jwks <file|url> [--keys <dir>] [--key <file>…]
 * [--destination <id>]`
 */
export async function runReceiverOpen(options: ReceiverOpenOptions): Promise<CommandResult> {
  let message: string;
  let recipientKeys: Record<string, unknown>[];
  let gatewayJwks: Awaited<ReturnType<typeof loadPinnedJwks>>;
  try {
    const keyFiles = options.keyFiles?.length
      ? options.keyFiles
      : [join(options.keysDir ?? '.', RECEIVER_KEY_FILES.encryption)];
    recipientKeys = keyFiles.map(readPrivateJwkFile);
    gatewayJwks = await loadPinnedJwks(options.gatewayJwks);
    message = readFileSync(options.messageFile, 'utf8');
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `receiver open: ${(error as Error).message}\n` };
  }
  try {
    const opened = await openSealedMessage(message, {
      recipientKeys,
      gatewayJwks,
      ...(options.destinationId === undefined ? {} : { expectedDestinationId: options.destinationId }),
    });
    const written = writeOpened(opened, options.outDir);
    const summary = {
      messageId: opened.metadata.messageId,
      submissionId: opened.metadata.submissionId,
      destinationId: opened.metadata.destinationId,
      signingKid: opened.signingKid,
      files: written,
    };
    return { exitCode: 0, stdout: JSON.stringify(summary, null, 2) + '\n', stderr: '' };
  } catch (error) {
    if (isOpenSealedMessageError(error)) {
      return { exitCode: 1, stdout: '', stderr: `refused: ${error.message}\n` };
    }
    return { exitCode: 2, stdout: '', stderr: `receiver open: ${(error as Error).message}\n` };
  }
}

export interface ReceiverReceiptOptions extends Omit<ReceiverOpenOptions, 'outDir'> {
  /** The recipient's signing key (private JWK), registered as the destination's receipt key. */
  signingKeyFile: string;
  gatewayUrl: string;
  /** Absent: accept. Present: reject with these problems. */
  problems?: ReceiptProblem[];
}

/** `amtsbote receiver accept|reject <message-file> …`: opens the message, signs the receipt, sends it. */
export async function runReceiverReceipt(options: ReceiverReceiptOptions): Promise<CommandResult> {
  const name = options.problems ? 'receiver reject' : 'receiver accept';
  let opened;
  try {
    opened = await openMessageFile(options);
  } catch (error) {
    if (isOpenSealedMessageError(error)) return { exitCode: 1, stdout: '', stderr: `refused: ${error.message}\n` };
    return { exitCode: 2, stdout: '', stderr: `${name}: ${(error as Error).message}\n` };
  }
  try {
    const receipt = await buildReceipt(opened, {
      signingJwk: readPrivateJwkFile(options.signingKeyFile),
      decision: options.problems ? { accept: false, problems: options.problems } : { accept: true },
    });
    const answer = await sendReceipt(options.gatewayUrl, receipt);
    if (answer.status >= 200 && answer.status < 300) return { exitCode: 0, stdout: answer.body + '\n', stderr: '' };
    return {
      exitCode: 1,
      stdout: '',
      stderr: `${name}: the gateway refused the receipt (${answer.status}): ${answer.body}\n`,
    };
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `${name}: ${(error as Error).message}\n` };
  }
}
