import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Destination } from '../config/routing-schema.js';
import { type Adapter, type AdapterContext, delivered, failed, retry } from './types.js';

export const kind = 'file';

/** Writes `data` to `path` atomically and never over an existing file: temp file + fsync, then link. */
async function writeOnce(dir: string, name: string, data: string): Promise<'written' | 'exists'> {
  const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o640);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails when the target exists, where rename() would silently replace it.
    await link(temp, join(dir, name));
    return 'written';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw error;
  } finally {
    await unlink(temp);
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * File drop: `<messageId>.json` (the sealed message) then `<messageId>.manifest.json` — the manifest is the
 * sign that the message is complete, so a watcher reads a message only once its manifest is there. A
 * message already written (a repeated attempt after a crash) is left as it is.
 */
export function createFileAdapter(destination: Destination, context: AdapterContext): Adapter {
  if (destination.adapter.kind !== 'file') throw new Error('not a file destination');
  const dir = resolve(context.dataDir, destination.adapter.directory);
  return {
    async deliver(message) {
      try {
        await mkdir(dir, { recursive: true, mode: 0o750 });
        await writeOnce(dir, `${message.messageId}.json`, message.body);
        const manifest = {
          messageId: message.messageId,
          destinationId: message.destinationId,
          serviceKey: message.serviceKey,
          contentType: message.contentType,
          file: `${message.messageId}.json`,
          writtenAt: context.now().toISOString(),
        };
        await writeOnce(dir, `${message.messageId}.manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
        await syncDir(dir);
        return delivered();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
        // A full or read-only disk may be fixed by an operator; a path that is not a folder will not heal.
        return code === 'ENOTDIR' ? failed(`file-${code}`) : retry(`file-${code}`);
      }
    },
  };
}
