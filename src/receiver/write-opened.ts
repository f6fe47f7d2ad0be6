import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAttachmentId } from './format.js';
import type { OpenedMessage } from './open-sealed-message.js';
import { ReceiverError } from './errors.js';

export interface WrittenFiles {
  /** `data.xml` or `data.json`. */
  data: string;
  /** The verified metadata, pretty-printed. */
  metadata: string;
  /** The gateway's compact JWS over the metadata, as received (evidence). */
  signedMetadata: string;
  /** JWE authentication tags, for an accept receipt. */
  authenticationTags: string;
  /** attachment id → `attachments/<id>/<file name>`. */
  attachments: Record<string, string>;
}

/**
 * Writes an opened message into `outDir` (created; must be empty if it exists): the body, the metadata,
 * the signed metadata, the authentication tags and the attachments, each owner-readable only (0600),
 * since they hold personal data. Attachment file names come from the signed metadata, reduced to a
 * safe base name; the folder is the attachment id.
 */
export function writeOpened(opened: OpenedMessage, outDir: string): WrittenFiles {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  if (readdirSync(outDir).length > 0)
    throw new ReceiverError('output-not-empty', `the output folder ${outDir} is not empty`);
  const write = (file: string, content: string | Buffer) => {
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    return file;
  };
  const data = write(join(outDir, opened.dataMediaType === 'application/json' ? 'data.json' : 'data.xml'), opened.data);
  const metadata = write(join(outDir, 'metadata.json'), JSON.stringify(opened.metadata, null, 2) + '\n');
  const signedMetadata = write(join(outDir, 'metadata.jws'), opened.signedMetadata + '\n');
  const authenticationTags = write(
    join(outDir, 'authentication-tags.json'),
    JSON.stringify(opened.authenticationTags, null, 2) + '\n',
  );
  const attachments: Record<string, string> = {};
  for (const [id, attachment] of opened.attachments) {
    if (!isAttachmentId(id))
      throw new ReceiverError('unsafe-attachment-id', `unsafe attachment id ${JSON.stringify(id)}`);
    const dir = join(outDir, 'attachments', id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    Object.defineProperty(attachments, id, {
      value: write(join(dir, safeFilename(attachment.filename)), attachment.content),
      enumerable: true,
    });
  }
  return { data, metadata, signedMetadata, authenticationTags, attachments };
}

/** A base name without path separators, control characters or a leading dot; `content` if nothing is left. */
export function safeFilename(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return cleaned === '' ? 'content' : cleaned;
}
