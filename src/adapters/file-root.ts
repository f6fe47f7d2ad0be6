import { existsSync, realpathSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** Whether `path` is `root` or lies below it (both absolute and normalised). */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Why a file destination's `directory` may not be written, or undefined when it may: it must lie below the
 * file-drop root that the operator configured in gateway.yaml (routing editors choose only the folder
 * below it). `..` is refused outright, an absolute path only outside the root, and the deepest part that
 * exists already must not leave the root through a symlink.
 */
export function fileDirectoryProblem(root: string, directory: string): string | undefined {
  if (directory.split(/[\\/]/).includes('..')) return 'must not contain ".." (folders lie below the file-drop root)';
  const target = resolve(root, directory);
  if (!within(resolve(root), target))
    return 'must lie below the file-drop root (fileDropRoot in gateway.yaml); give a path relative to it';
  if (!existsSync(root)) return undefined;
  const realRoot = realpathSync(root);
  let existing = target;
  while (!existsSync(existing)) existing = dirname(existing);
  return within(realRoot, realpathSync(existing)) ? undefined : 'leaves the file-drop root through a symbolic link';
}

/**
 * The folder a file destination writes to, created if need be, checked again at delivery: the routing was
 * checked when it was saved, but a symlink may have been placed since. Undefined: outside the root.
 */
export async function fileDirectoryInRoot(root: string, directory: string): Promise<string | undefined> {
  if (fileDirectoryProblem(root, directory) !== undefined) return undefined;
  await mkdir(root, { recursive: true, mode: 0o750 });
  const target = resolve(root, directory);
  await mkdir(target, { recursive: true, mode: 0o750 });
  const real = await realpath(target);
  return within(await realpath(root), real) ? real : undefined;
}
