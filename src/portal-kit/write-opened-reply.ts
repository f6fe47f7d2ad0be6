import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAttachmentId } from '../receiver/format.js';
import { safeFilename } from '../receiver/write-opened.js';
import { ReceiverError } from '../receiver/errors.js';
import { OpenReplyError } from './errors.js';
import type { OpenedReply } from './open-reply.js';

export interface WrittenReplyFiles {
  /** `data.json` or `data.xml`. */
  data: string;
  /** The destination's verified metadata, pretty-printed. */
  metadata: string;
  /** The gateway's verified countersignature payload, pretty-printed. */
  countersignature: string;
  /** Evidence as received: the destination's JWS and the gateway's. */
  signedMetadata: string;
  countersignatureJws: string;
  /** attachment id → `attachments/<id>/<file name>`. */
  attachments: Record<string, string>;
}

/**
 * Writes an opened reply into `outDir` (created; must be empty if it exists), every file owner-readable only:
 * a reply carries personal data. Attachment file names come from the signed metadata, reduced to a safe base
 * name; the folder is the attachment id.
 */
export function writeOpenedReply(opened: OpenedReply, outDir: string): WrittenReplyFiles {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  if (readdirSync(outDir).length > 0)
    throw new ReceiverError('output-not-empty', `the output folder ${outDir} is not empty`);
  const write = (file: string, content: string | Buffer) => {
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    return file;
  };
  const written: WrittenReplyFiles = {
    data: write(join(outDir, opened.dataMediaType === 'application/json' ? 'data.json' : 'data.xml'), opened.data),
    metadata: write(join(outDir, 'metadata.json'), JSON.stringify(opened.metadata, null, 2) + '\n'),
    countersignature: write(
      join(outDir, 'countersignature.json'),
      JSON.stringify(opened.countersignature, null, 2) + '\n',
    ),
    signedMetadata: write(join(outDir, 'metadata.jws'), opened.signedMetadata + '\n'),
    countersignatureJws: write(join(outDir, 'countersignature.jws'), opened.countersignatureJws + '\n'),
    attachments: {},
  };
  for (const [id, attachment] of opened.attachments) {
    // The id passed the format's rule when the reply was opened; checked again because it becomes a folder.
    if (!isAttachmentId(id)) throw new OpenReplyError('malformed-reply', `attachment:${id}`, 'unsafe attachment id');
    const dir = join(outDir, 'attachments', id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    Object.defineProperty(written.attachments, id, {
      value: write(join(dir, safeFilename(attachment.filename)), attachment.content),
      enumerable: true,
    });
  }
  return written;
}
