import { readFileSync } from 'node:fs';
import type { CommandResult } from '../receiver/commands.js';
import { readPrivateJwkFile } from '../receiver/lib/read-private-jwk.js';
import { loadPinnedJwks } from '../receiver/load-pinned-jwks.js';
import { isOpenReplyError } from './errors.js';
import { openReply } from './open-reply.js';
import { writeOpenedReply } from './write-opened-reply.js';

export interface PortalOpenReplyOptions {
  replyFile: string;
  /** The portal's private reply key file(s) (private JWK with kid, owner-readable only). */
  keyFiles: string[];
  /** The gateway's JWKS as the portal pinned it: a file or the gateway's jwks.json URL. */
  gatewayJwks: string;
  outDir: string;
  /** The portal's submission id: a reply to another submission is refused. */
  submissionId?: string;
}

/**
 * `amtsbote portal open-reply <reply-file> --key <file>… --gateway-jwks <file|url> --out <dir>
 * [--submission <id>]`. Exit 0 opened and written, 1 the reply was refused (stderr: `refused: <code> (<part>):
 * …`), 2 the command could not run (files, keys, options, output folder).
 */
export async function runPortalOpenReply(options: PortalOpenReplyOptions): Promise<CommandResult> {
  const fail = (message: string): CommandResult => ({
    exitCode: 2,
    stdout: '',
    stderr: `portal open-reply: ${message}\n`,
  });
  if (options.keyFiles.length === 0) return fail("give the portal's private reply key with --key <file>");
  let reply: string;
  let privateKeys: Record<string, unknown>[];
  let gatewayJwks: Awaited<ReturnType<typeof loadPinnedJwks>>;
  try {
    privateKeys = options.keyFiles.map(readPrivateJwkFile);
    gatewayJwks = await loadPinnedJwks(options.gatewayJwks);
    reply = readFileSync(options.replyFile, 'utf8');
  } catch (error) {
    return fail((error as Error).message);
  }
  let opened;
  try {
    opened = await openReply(reply, {
      privateKeys,
      gatewayJwks,
      ...(options.submissionId === undefined ? {} : { expectedSubmissionId: options.submissionId }),
    });
  } catch (error) {
    if (isOpenReplyError(error)) return { exitCode: 1, stdout: '', stderr: `refused: ${error.message}\n` };
    return fail((error as Error).message);
  }
  try {
    const files = writeOpenedReply(opened, options.outDir);
    const summary = {
      replyId: opened.replyId,
      submissionId: opened.submissionId,
      seq: opened.seq,
      kind: opened.kind,
      destinationId: opened.destinationId,
      destinationKeyThumbprint: opened.countersignature.destinationKeyThumbprint,
      files,
    };
    return { exitCode: 0, stdout: JSON.stringify(summary, null, 2) + '\n', stderr: '' };
  } catch (error) {
    return fail((error as Error).message);
  }
}
