import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileDirectoryInRoot, fileDirectoryProblem } from './file-root.js';
import {
  type Adapter,
  type AdapterContext,
  type SystemErrorCode,
  delivered,
  failed,
  isSystemErrorCode,
  retry,
} from './types.js';

// The config schema lives apart from the runtime, so loading the configuration loads no adapter code.
import { kind, fileAdapterConfigSchema, defaultFileDropRoot, type FileAdapterConfig } from './config/file.js';
export { kind, fileAdapterConfigSchema, defaultFileDropRoot, type FileAdapterConfig };

/** Why a file drop did not write: the folder left the root, or the file system's error code (`file-ENOSPC`). */
export type FileReason = 'file-outside-root' | `file-${SystemErrorCode}`;

/**
 * Where temporary files are written, inside each destination's folder (so that the final link stays on one
 * file system): a dot-named subfolder, which the documented pick-up rule — `*.manifest.json` directly in
 * the folder, names starting with a dot ignored — never reads.
 */
export const tempFolderName = '.amtsbote-tmp';

/** Temp files as earlier versions named them, beside the messages: `.<name>.<uuid>.tmp`. */
const legacyTempName = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** Writes `data` to `dir/name` atomically and never over an existing file: temp file + fsync, then link. */
async function writeOnce(dir: string, name: string, data: string): Promise<'written' | 'exists'> {
  const temp = join(dir, tempFolderName, `${name}.${randomUUID()}.tmp`);
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
 * Removes what a killed process left in the temp folders of the file destinations. Called at start: a
 * write that another instance has in flight there at that moment loses its temp file and is retried, which
 * is harmless — the message is written once either way. Returns the folders it could not clean.
 */
export async function removeFileDropLeftovers(
  root: string,
  destinations: readonly { id: string; adapter: { kind: string; directory?: string } }[],
): Promise<{ destinationId: string; code: string }[]> {
  const problems: { destinationId: string; code: string }[] = [];
  for (const destination of destinations) {
    const directory = destination.adapter.kind === kind ? destination.adapter.directory : undefined;
    if (directory === undefined) continue;
    try {
      if (fileDirectoryProblem(root, directory) !== undefined) continue;
      const dir = resolve(root, directory);
      // rm removes a symlink named like the temp folder, never what it points to
      await rm(join(dir, tempFolderName), { recursive: true, force: true });
      // earlier versions wrote their temp files into the folder itself (issue 19 F9: a SIGKILL left them there)
      const names = await readdir(dir).catch((error: unknown) =>
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : Promise.reject(error as Error),
      );
      await Promise.all(
        names.filter((name) => legacyTempName.test(name)).map((name) => rm(join(dir, name), { force: true })),
      );
    } catch (error) {
      problems.push({ destinationId: destination.id, code: (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN' });
    }
  }
  return problems;
}

/**
 * File drop: `<messageId>.json` (the sealed message) then `<messageId>.manifest.json` — the manifest is the
 * sign that the message is complete, so a watcher reads a message only once its manifest is there. A
 * message already written (a repeated attempt after a crash) is left as it is. The folder lies below the
 * operator's file-drop root, checked again before every write.
 */
export function createFileAdapter(config: FileAdapterConfig, context: AdapterContext): Adapter<FileReason> {
  const root = context.fileDropRoot ?? defaultFileDropRoot(context.dataDir);
  const directory = config.directory;
  return {
    async deliver(message) {
      try {
        const dir = await fileDirectoryInRoot(root, directory);
        if (!dir) return failed('file-outside-root');
        await mkdir(join(dir, tempFolderName), { recursive: true, mode: 0o750 });
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
        const code: unknown = (error as NodeJS.ErrnoException).code;
        const reason = `file-${isSystemErrorCode(code) ? code : 'EUNKNOWN'}` as const;
        // A full or read-only disk may be fixed by an operator; a path that is not a folder will not heal.
        return code === 'ENOTDIR' ? failed(reason) : retry(reason);
      }
    },
  };
}
