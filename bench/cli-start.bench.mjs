#!/usr/bin/env node
// Issue 26 item 4: how fast the CLI starts. Cold starts of `amtsbote --help`, `amtsbote config check` (demo
// configuration, no store) and `amtsbote serve` until `/health/ready` answers 200 (demo configuration, SQLite, demo
// receiver off, a data dir made by an unmeasured first start), each a fresh node process. With BENCH_BASE_CLI (the
// file another build's bin/amtsbote runs — dist/bundle/cli.js, or dist/src/cli.js in a build from before the bundle,
// e.g. of the previous commit) the two builds run as alternating pairs — base then this, this then base — so that
// the load of a shared machine falls on both alike. Wall time is the figure; the CPU time (user + sys) of the short
// commands, from /usr/bin/time, and of serve until ready, from /proc (Linux), is reported beside it as the less
// load-dependent one.
//
//   node bench/cli-start.bench.mjs                (after npm run build)
// Options (env): BENCH_BASE_CLI=<path>, BENCH_PAIRS=5, BENCH_MAX_SECONDS=600, BENCH_CLI_PARTS=help,check,serve,
// BENCH_TARGET=<another checkout, built> (measured instead of this one, in its own directory),
// BENCH_NAME=<name> (the results file bench/results/<name>-<date>.json; without it cli-start-<date>.json)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetch } from 'undici';
import { builtCli, limit, sleep, startHarness, target, writeResults } from './lib/harness.mjs';

const current = builtCli(target);
const base = process.env.BENCH_BASE_CLI;
for (const cli of [current, base].filter(Boolean))
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: build it first`);
    process.exit(2);
  }
const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 600);
const parts = (process.env.BENCH_CLI_PARTS ?? 'help,check,serve').split(',');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const { cleanups, run, timeLeft, progress, header } = startHarness({
  bench: 'cli-start',
  maxSeconds,
  onTimeUp: () => report(),
});
const variants = base ? { base, current } : { current };
const results = { ...header, variants, pairs, parts, loadAverageAtStart: loadavg()[0], samples: [], summary: {} };
const work = mkdtempSync(join(tmpdir(), 'amtsbote-cli-start-'));
cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
// serve's data dir holds a store; the short commands get one that never does (config check: no store yet).
const env = (variant, dataDir = variant) => ({ PATH: process.env.PATH ?? '', AMTSBOTE_DATA_DIR: join(work, dataDir) });

/** A short command to its end: wall ms, and CPU ms when /usr/bin/time is there. */
function shortCommand(cli, args, variant) {
  const command = timeBin ? [timeBin, '-f', 'cpu %U %S', process.execPath] : [process.execPath];
  const started = performance.now();
  const result = spawnSync(command[0], [...command.slice(1), cli, ...args], {
    cwd: target,
    env: env(variant, `${variant}-no-store`),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
}

/**
 * The CPU time (user + sys, every thread) a process has used so far, from /proc/<pid>/stat (Linux; in clock ticks,
 * 100 a second): serve's CPU until ready, the figure a busy machine disturbs less than the wall time.
 */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the command name
    return { cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 };
  } catch {
    return {};
  }
}

/** `serve` from spawn until /health/ready answers 200 (wall and CPU); then stopped with SIGTERM. */
async function serveToReady(cli, variant) {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', '--no-demo-receiver'], {
    cwd: target,
    env: { ...env(variant), AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0', AMTSBOTE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([exited, limit(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanups.push(stop);
  let out = '';
  child.stdout.on('data', (c) => (out = (out + c.toString()).slice(-100_000)));
  child.stderr.on('data', (c) => (out = (out + c.toString()).slice(-100_000)));
  try {
    for (let i = 0; i < 6000 && timeLeft() > 0 && child.exitCode === null; i++) {
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url) {
        const ready = await fetch(new URL('/health/ready', url)).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) return { wallMs: performance.now() - started, ...cpuOf(child.pid) };
      }
      await sleep(10);
    }
    throw new Error(`serve did not get ready:\n${out.slice(-4000)}`);
  } finally {
    await stop();
    cleanups.splice(cleanups.indexOf(stop), 1);
  }
}

const measure = {
  help: (cli, variant) => shortCommand(cli, ['--help'], variant),
  check: (cli, variant) => shortCommand(cli, ['config', 'check'], variant),
  serve: (cli, variant) => serveToReady(cli, variant),
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function report() {
  results.loadAverageAtEnd = loadavg()[0];
  for (const variant of Object.keys(variants))
    for (const part of parts) {
      const samples = results.samples.filter((s) => s.variant === variant && s.part === part);
      if (samples.length === 0) continue;
      const cpu = samples.map((s) => s.cpuMs).filter((v) => v !== undefined);
      results.summary[`${variant} ${part}`] = {
        runs: samples.length,
        wallMsMedian: Math.round(median(samples.map((s) => s.wallMs))),
        wallMsMin: Math.round(Math.min(...samples.map((s) => s.wallMs))),
        ...(cpu.length > 0 ? { cpuMsMedian: Math.round(median(cpu)) } : {}),
      };
    }
  console.table(results.summary);
  console.log(`written to ${writeResults(results)}`);
}

await run(async () => {
  const names = Object.keys(variants);
  // The first serve of each build makes its data dir (store, development keys): not measured.
  if (parts.includes('serve'))
    for (const variant of names) {
      progress(`${variant}: first start, making its data dir`);
      await serveToReady(variants[variant], variant);
    }
  for (let pair = 0; pair < pairs && timeLeft() > 30_000; pair++) {
    const order = pair % 2 === 0 ? names : [...names].reverse();
    for (const part of parts)
      for (const variant of order) {
        const sample = await measure[part](variants[variant], variant);
        results.samples.push({ pair, part, variant, ...sample });
        progress(
          `pair ${pair} ${part} ${variant}: ${Math.round(sample.wallMs)} ms` +
            (sample.cpuMs === undefined ? '' : ` (cpu ${Math.round(sample.cpuMs)} ms)`),
        );
      }
  }
}, report);
