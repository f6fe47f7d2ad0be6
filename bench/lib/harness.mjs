// What every process-spawning benchmark needs: a time bound, progress lines, teardown of everything it
// started (also when the time is up), the results header, and the results file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The checkout whose build a benchmark drives (its dist/, bin/, config/ and key fixtures): this one, or another
 * one named by BENCH_TARGET — so that this checkout's bench code measures an older build the same way (paired
 * runs, bench/lib/pairs.mjs). The load, the requests and the figures always come from this checkout.
 */
export const target = resolve(process.env.BENCH_TARGET ?? root);

/**
 * The file bin/amtsbote runs in a built checkout: the bundle (dist/bundle/cli.js) since issue 26, dist/src/cli.js
 * in a checkout from before it — so that pairs against an older build compare what operators ran then and now.
 */
export const builtCli = (checkout) =>
  [join(checkout, 'dist/bundle/cli.js'), join(checkout, 'dist/src/cli.js')].find((file) => existsSync(file)) ??
  join(checkout, 'dist/src/cli.js');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A time limit for Promise.race: does not keep the process alive once the race is won. */
export const limit = (ms, value) => new Promise((r) => setTimeout(r, ms, value).unref());

/**
 * Starts the clock of a benchmark bounded to `maxSeconds`: when the time is up, everything registered in
 * `cleanups` is torn down, `onTimeUp` reports the figures so far, and the process exits with 3 (on SIGINT or
 * SIGTERM the same, exit code 130).
 */
export function startHarness({ bench, maxSeconds, onTimeUp }) {
  const started = Date.now();
  const deadline = started + maxSeconds * 1000;
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length > 0)
      await cleanups
        .pop()()
        .catch(() => undefined);
  };
  const watchdog = setTimeout(() => {
    console.error(`time is up (${maxSeconds} s): stopping; figures so far follow`);
    void cleanup().finally(() => {
      onTimeUp();
      process.exit(3);
    });
  }, maxSeconds * 1000);
  // Stopped from outside (Ctrl-C, or bench/lib/pairs.mjs when its time is up): tear down what was started, so no
  // gateway or receiver is left behind, and report the figures so far.
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      clearTimeout(watchdog);
      console.error(`${signal}: stopping; figures so far follow`);
      void cleanup().finally(() => {
        onTimeUp();
        process.exit(130);
      });
    });
  const progress = (what) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${what}\n`);
  return {
    cleanups,
    cleanup,
    stopWatchdog: () => clearTimeout(watchdog),
    /**
     * Runs the benchmark's body; whatever happens, stops the clock, tears everything down and reports the
     * figures so far (a failure sets the exit code).
     */
    run: async (body, report) => {
      try {
        await body();
      } catch (error) {
        console.error(error);
        process.exitCode = 1;
      } finally {
        clearTimeout(watchdog);
        progress('stopping');
        await cleanup();
        report();
      }
    },
    timeLeft: () => deadline - Date.now(),
    progress,
    header: {
      bench,
      date: new Date().toISOString(),
      commit: gitCommit(),
      ...(target === root ? {} : { target }),
      node: process.version,
      cores: availableParallelism(),
    },
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: target,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Writes bench/results/<bench>-<date>.json (atomically) and returns its path; BENCH_RESULTS_DIR names another
 * folder (bench/run.mjs collects the parts' files there and writes one results file of its own).
 */
export function writeResults(results) {
  const dir = process.env.BENCH_RESULTS_DIR ?? join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  // BENCH_NAME keeps a scratch or comparison run from overwriting the day's committed result of the same bench.
  const file = join(dir, `${process.env.BENCH_NAME ?? results.bench}-${results.date.slice(0, 10)}.json`);
  writeFileSync(file + '.tmp', JSON.stringify(results, null, 2) + '\n');
  renameSync(file + '.tmp', file);
  return file;
}
