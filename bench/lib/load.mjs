// Runs bench/lib/load-worker.mjs (autocannon) in a child process and returns its figures.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { limit, root } from './harness.mjs';

/** POSTs `submission` to `url` with `connections` clients for `seconds` (at `overallRate`/s when set). */
export async function runLoad({ url, token, submission, connections, seconds, overallRate = 0 }, cleanups) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bench/lib/load-worker.mjs'),
      JSON.stringify({ url, token, submission, connections, seconds, overallRate }),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const code = await Promise.race([exited, limit((seconds + 30) * 1000, 'time is up')]);
  if (code !== 0) throw new Error(`load generator ended with ${code}: ${out.slice(-2000)}`);
  return JSON.parse(out.trim().split('\n').at(-1));
}
