import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';
import { processBoundMs } from './wait.js';

/** Preloaded with `--import`: records every module the process loads (test/fixtures/module-trace). */
export const moduleRecorder = join(projectRoot, 'test/fixtures/module-trace/record-loads.mjs');

/** Runs node with the recorder and `args` until it ends; its exit status, output and the modules it loaded. */
export function runTraced(
  args: string[],
  trace: string,
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  rmSync(trace, { force: true });
  const result = spawnSync(process.execPath, ['--import', moduleRecorder, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', AMTSBOTE_MODULE_TRACE: trace, ...env },
    encoding: 'utf8',
    timeout: processBoundMs,
  });
  const modules = existsSync(trace) ? [...new Set(readFileSync(trace, 'utf8').split('\n').filter(Boolean))] : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

/** Which of `parts` (pieces of a module's path or URL) are among the loaded `modules`. */
export const loadedOf = (modules: string[], parts: string[]) => parts.filter((p) => modules.some((m) => m.includes(p)));
