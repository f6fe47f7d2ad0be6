import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { buildReply, type ReplyAttachmentInput } from './build-reply.js';
import type { CommandResult } from './commands.js';
import { isOpenSealedMessageError, ReceiverError } from './errors.js';
import { isAttachmentId } from './format.js';
import { readPrivateJwkFile } from './lib/read-private-jwk.js';
import { openMessageFile } from './open-message-file.js';
import { REPLY_KINDS, type ReplyKind } from './reply-format.js';
import { sendReply } from './send-reply.js';

export interface ReceiverReplyOptions {
  messageFile: string;
  gatewayJwks: string;
  keyFiles?: string[];
  keysDir?: string;
  destinationId?: string;
  kind: string;
  dataFile: string;
  /** Default: from the data file's extension (`.json`, `.xml`). */
  dataType?: string;
  schemaUri: string;
  /** `<file>` or `<file>@<media type>`; the media type of `.pdf`, `.xml`, `.json`, `.png`, `.jpg`, `.txt` is known. */
  attachments?: string[];
  /** The portal's public reply key: a JWK file (or a JWK Set of one key). */
  replyKeyFile: string;
  /** The receipt signing key (private JWK) registered with the gateway. */
  signingKeyFile: string;
  replyId?: string;
  /** Post it to this gateway … */
  gatewayUrl?: string;
  /** … or write it to this file. */
  outFile?: string;
}

const KNOWN_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.txt': 'text/plain',
};

/**
 * `amtsbote receiver reply <message-file> --kind … --data … --schema … --reply-key … --signing-key …
 * (--gateway <url> | --out <file>)`: opens the received message (to learn its signed ids), builds the reply
 * and posts or writes it. Exit 0 done, 1 the message or the reply was refused, 2 the command could not run.
 */
export async function runReceiverReply(options: ReceiverReplyOptions): Promise<CommandResult> {
  const fail = (message: string): CommandResult => ({
    exitCode: 2,
    stdout: '',
    stderr: `receiver reply: ${message}\n`,
  });
  if ((options.gatewayUrl === undefined) === (options.outFile === undefined))
    return fail('give exactly one of --gateway <url> (post the reply) and --out <file> (write it)');
  if (!(REPLY_KINDS as readonly string[]).includes(options.kind))
    return fail(`--kind must be one of ${REPLY_KINDS.join(', ')}, found "${options.kind}"`);
  let opened;
  try {
    opened = await openMessageFile(options);
  } catch (error) {
    if (isOpenSealedMessageError(error)) return { exitCode: 1, stdout: '', stderr: `refused: ${error.message}\n` };
    return fail((error as Error).message);
  }
  let built;
  try {
    const dataType = options.dataType ?? KNOWN_TYPES[extname(options.dataFile).toLowerCase()];
    if (dataType === undefined)
      throw new ReceiverError(
        'invalid-reply-input',
        `cannot tell the media type of ${options.dataFile}: give --data-type`,
      );
    built = await buildReply({
      message: opened,
      kind: options.kind as ReplyKind,
      data: { content: readFileSync(options.dataFile), mediaType: dataType, schemaUri: options.schemaUri },
      attachments: (options.attachments ?? []).map(readAttachment),
      replyKey: readJson(options.replyKeyFile),
      signingJwk: readPrivateJwkFile(options.signingKeyFile),
      ...(options.replyId === undefined ? {} : { replyId: options.replyId }),
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  const summary = { replyId: built.metadata.replyId, submissionId: built.metadata.submissionId };
  if (options.outFile !== undefined) {
    try {
      writeFileSync(options.outFile, JSON.stringify(built.reply, null, 2) + '\n', { flag: 'wx' });
    } catch (error) {
      return fail((error as Error).message);
    }
    return { exitCode: 0, stdout: JSON.stringify({ ...summary, file: options.outFile }, null, 2) + '\n', stderr: '' };
  }
  let answer;
  try {
    answer = await sendReply(options.gatewayUrl ?? '', built.reply);
  } catch (error) {
    return fail(`cannot reach the gateway: ${(error as Error).message}`);
  }
  if (answer.status >= 200 && answer.status < 300)
    return { exitCode: 0, stdout: answer.body + (answer.body.endsWith('\n') ? '' : '\n'), stderr: '' };
  return {
    exitCode: 1,
    stdout: '',
    stderr: `receiver reply: the gateway refused the reply (${answer.status}): ${answer.body}\n`,
  };
}

/** `<file>` or `<file>@<media type>`; the attachment id is the file name where it is a valid id. */
function readAttachment(spec: string, index: number): ReplyAttachmentInput {
  const at = spec.lastIndexOf('@');
  const explicitType = at > 0 && spec.slice(at + 1).includes('/') ? spec.slice(at + 1) : undefined;
  const file = explicitType === undefined ? spec : spec.slice(0, at);
  const mediaType = explicitType ?? KNOWN_TYPES[extname(file).toLowerCase()];
  if (mediaType === undefined)
    throw new ReceiverError('invalid-reply-input', `cannot tell the media type of ${file}: write ${file}@<media type>`);
  const filename = basename(file);
  return {
    id: isAttachmentId(filename) ? filename : `attachment-${index + 1}`,
    filename,
    mediaType,
    content: readFileSync(file),
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new ReceiverError('invalid-reply-key', `${file} is not JSON`);
    throw error;
  }
}
