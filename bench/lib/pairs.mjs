// Before/after as alternating pairs in one run (issue 26 item 5). On a shared machine single runs spread by
// ±20 %; running base and head one after the other, K times, the first of each pair alternating, lets the load
// fall on both alike, and the medians and the per-pair values show what a difference must exceed.
//
//   BENCH_BASE=/work/bench-base npm run bench          (the base checkout built; this checkout is the head)
//
// Each side of each pair is a child process of this checkout's bench code with BENCH_TARGET set to the side's
// checkout, so the base's gateway, CLI, config and store are driven by the head's load, requests and figures
// (over HTTP, the CLI and config only; the seeded delivery part writes through the side's own store):
//   limit, intake, delivery, scale, stores   bench/run.mjs (delivery in the gateway process: BENCH_OUTBOX=gateway)
//   memory                                   bench/intake-memory.bench.mjs (8 × 23.5 MB, peak RSS)
//   cli                                      bench/cli-start.bench.mjs, `--help` and `config check`, one each
// Options (env): BENCH_PAIRS=3, BENCH_PARTS=limit,intake,delivery,memory,cli, BENCH_MAX_SECONDS=3600,
// BENCH_NAME=bench-pairs (the results file bench/results/<name>-<date>.json), BENCH_DELIVERIES=1000,
// BENCH_SUBMISSIONS=200; BENCH_INTAKE_SECONDS and the other options of bench/run.mjs pass through, and so does
// BENCH_GATEWAY_SETTINGS (bench/lib/gateway-process.mjs); BENCH_BASE_GATEWAY_SETTINGS / BENCH_HEAD_GATEWAY_SETTINGS
// replace it for one side, so one build in two configurations makes pairs too (BENCH_BASE=. with one intake thread
// against two, say).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { limit, root, startHarness, writeResults } from './harness.mjs';

const runParts = new Set(['limit', 'intake', 'delivery', 'scale', 'stores']);

/** The figures of one side's run, by name: [figure, value, target, which way is better]. */
function figures({ run, memory, cli }) {
  const out = [];
  const add = (name, value, target = '', better = 'higher') =>
    out.push({ name, value: Number.isFinite(value) ? value : undefined, target, better });
  if (run?.limit) add('Limit: submissions/s (PS512 signatures/s ÷ destinations)', run.limit.submissionsPerSecond);
  const i = run?.intake;
  if (i) {
    for (const r of i.runs) {
      add(`Intake ${r.connections} client(s): 202/s`, r.acceptedPerSecond);
      add(
        `Intake ${r.connections} client(s): ratio to the limit, %`,
        r.ratioToLimit * 100,
        r.connections === 64 ? '≥ 50 %' : '',
      );
      for (const q of ['p50', 'p95', 'p99'])
        add(`Intake ${r.connections} client(s): ${q} ms`, r.latencyMs?.[q], '', 'lower');
      add(`Intake ${r.connections} client(s): answers other than 202`, r.responses - r.accepted, '', 'lower');
    }
    add('Intake at half the best rate: rate asked, /s', i.halfRate.targetRate);
    add('Intake at half the best rate: p99 ms', i.halfRate.latencyMs?.p99, '< 100 ms', 'lower');
    add('Gateway start-up, spawn → /health/ready, ms', i.startupMs, '< 1500 ms', 'lower');
    add('Gateway peak RSS during intake (VmHWM), MB', i.peakRssMb, '< 300 MB', 'lower');
    if (i.profile) add('Gateway main thread busy during intake, %', i.profile.mainThreadBusyShare * 100, '', 'lower');
  }
  const d = run?.delivery;
  if (d) {
    add('Delivery outbox → local HTTP receiver, msg/s', d.http?.perSecond, '≥ 2000 msg/s');
    add('Delivery outbox → RabbitMQ, msg/s', d.amqp?.perSecond);
    add('Delivery 202 → delivered p50 ms', d.gateway?.delayMs?.p50, '', 'lower');
    add('Delivery 202 → delivered p99 ms', d.gateway?.delayMs?.p99, '', 'lower');
  }
  for (const step of run?.scale?.steps ?? [])
    add(`Scale ${step.history} finished: 202/s (8 clients)`, step.acceptedPerSecond);
  for (const r of run?.stores?.runs ?? []) add(`Stores ${r.name}: 202/s`, r.acceptedPerSecond);
  if (memory) {
    add('Gateway peak RSS, 8 × 23.5 MB submissions (VmHWM), MB', memory.peakRssMb, '< 300 MB', 'lower');
    const statuses = memory.rounds_?.[0]?.statuses ?? {};
    add('  of those submissions, not accepted', memory.concurrency - (statuses['202'] ?? 0), '', 'lower');
  }
  if (cli) {
    const sample = (part) => cli.samples.find((s) => s.part === part);
    add('`amtsbote --help` cold start, wall ms', sample('help')?.wallMs, '< 1000 ms', 'lower');
    add('`amtsbote --help` cold start, CPU ms', sample('help')?.cpuMs, '', 'lower');
    add('`amtsbote config check` cold start, wall ms', sample('check')?.wallMs, '< 1000 ms', 'lower');
    add('`amtsbote config check` cold start, CPU ms', sample('check')?.cpuMs, '', 'lower');
  }
  return out;
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function commitOf(dir) {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export async function runPairs() {
  const sides = { base: resolve(process.env.BENCH_BASE), head: root };
  for (const dir of Object.values(sides))
    if (!existsSync(join(dir, 'dist/src/cli.js'))) {
      console.error(`${join(dir, 'dist/src/cli.js')} is missing: build that checkout first`);
      return 2;
    }
  const pairs = Number(process.env.BENCH_PAIRS ?? 3);
  const parts = (process.env.BENCH_PARTS ?? 'limit,intake,delivery,memory,cli').split(',');
  if (parts.includes('intake') && !parts.includes('limit')) parts.unshift('limit');
  const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 3600);
  let results;
  const { cleanups, run, timeLeft, progress, header } = startHarness({
    bench: process.env.BENCH_NAME ?? 'bench-pairs',
    maxSeconds,
    onTimeUp: () => report(results),
  });
  results = {
    ...header,
    machine: {
      cpu: cpus()[0]?.model,
      cores: header.cores,
      memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
      node: process.version,
    },
    sides: Object.fromEntries(
      Object.entries(sides).map(([k, dir]) => [
        k,
        {
          dir,
          commit: commitOf(dir),
          gatewaySettings:
            process.env[`BENCH_${k.toUpperCase()}_GATEWAY_SETTINGS`] ?? process.env.BENCH_GATEWAY_SETTINGS ?? '',
        },
      ]),
    ),
    pairs,
    parts,
    samples: [],
    complete: false,
  };
  const work = mkdtempSync(join(tmpdir(), 'amtsbote-bench-pairs-'));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));

  /** One bench script as a child for `side`; resolves to its results file's content (bounded by the time left). */
  const child = async (script, bench, side, dir, env) => {
    mkdirSync(dir, { recursive: true });
    // A child writes under its own bench name in `dir`, where it is looked for below.
    const { BENCH_BASE: _base, BENCH_NAME: _name, ...inherited } = process.env;
    const proc = spawn(process.execPath, [join(root, 'bench', script)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...inherited,
        BENCH_TARGET: sides[side],
        BENCH_RESULTS_DIR: dir,
        BENCH_MAX_SECONDS: String(Math.max(30, Math.min(900, Math.floor(timeLeft() / 1000) - 20))),
        BENCH_GATEWAY_SETTINGS:
          process.env[`BENCH_${side.toUpperCase()}_GATEWAY_SETTINGS`] ?? process.env.BENCH_GATEWAY_SETTINGS ?? '',
        ...env,
      },
    });
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    };
    cleanups.push(stop);
    const code = await Promise.race([
      new Promise((r) => proc.once('exit', r)),
      limit(Math.max(1000, timeLeft() - 10_000), 'time is up'),
    ]);
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
    const file = readdirSync(dir).find((f) => f.startsWith(`${bench}-`) && f.endsWith('.json'));
    if (code !== 0) progress(`${side}: ${script} ended with ${code}${file ? ' (figures so far kept)' : ''}`);
    return file ? JSON.parse(readFileSync(join(dir, file), 'utf8')) : undefined;
  };

  await run(
    async () => {
      const ofRun = parts.filter((p) => runParts.has(p));
      for (let pair = 0; pair < pairs && timeLeft() > 60_000; pair++) {
        const order = pair % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
        for (const side of order) {
          const dir = join(work, `${pair}-${side}`);
          const sample = { pair, side, loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))) };
          progress(
            `pair ${pair + 1}/${pairs}, ${side} (${results.sides[side].commit}): load ${sample.loadAverageAtStart[0]}`,
          );
          const run_ =
            ofRun.length > 0
              ? await child('run.mjs', 'bench', side, join(dir, 'run'), {
                  BENCH_PARTS: ofRun.join(','),
                  BENCH_OUTBOX: 'gateway',
                  BENCH_DELIVERIES: process.env.BENCH_DELIVERIES ?? '1000',
                  BENCH_SUBMISSIONS: process.env.BENCH_SUBMISSIONS ?? '200',
                })
              : undefined;
          const memory = parts.includes('memory')
            ? await child('intake-memory.bench.mjs', 'intake-memory', side, join(dir, 'memory'), {})
            : undefined;
          const cli = parts.includes('cli')
            ? await child('cli-start.bench.mjs', 'cli-start', side, join(dir, 'cli'), {
                BENCH_PAIRS: '1',
                BENCH_CLI_PARTS: 'help,check',
              })
            : undefined;
          results.samples.push({
            ...sample,
            figures: figures({ run: run_, memory, cli }),
            profile: run_?.intake?.profile,
            workerThreadsProfile: run_?.intake?.workerThreadsProfile,
            complete: Boolean(run_?.complete ?? true) && (memory?.complete ?? true),
          });
        }
      }
      results.complete = results.samples.length === pairs * 2;
    },
    () => report(results),
  );
  return process.exitCode ?? 0;
}

const f = (x) => (x === undefined ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));

/** Medians per side, the change, the per-pair values, and each side's spread; printed as markdown and written. */
function report(results) {
  results.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
  const names = [...new Set(results.samples.flatMap((s) => s.figures.map((g) => g.name)))];
  const valuesOf = (side, name) =>
    results.samples
      .filter((s) => s.side === side)
      .sort((a, b) => a.pair - b.pair)
      .map((s) => s.figures.find((g) => g.name === name)?.value);
  results.summary = names.map((name) => {
    const spec = results.samples.flatMap((s) => s.figures).find((g) => g.name === name);
    const side = (which) => {
      const values = valuesOf(which, name);
      const m = median(values);
      const defined = values.filter((v) => v !== undefined);
      // (max − min) / median: how far single runs of one build spread in this run
      const spread = defined.length > 1 && m ? (Math.max(...defined) - Math.min(...defined)) / Math.abs(m) : undefined;
      return { values, median: m, spread };
    };
    const before = side('base');
    const after = side('head');
    const change = before.median && after.median !== undefined ? after.median / before.median - 1 : undefined;
    // after ÷ before within each pair (the two ran minutes apart, under much the same load): less noisy
    const perPair = before.values
      .map((b, p) => (b && after.values[p] !== undefined ? after.values[p] / b - 1 : undefined))
      .filter((x) => x !== undefined);
    const pairChange = { median: median(perPair), min: Math.min(...perPair), max: Math.max(...perPair) };
    return { name, target: spec.target, better: spec.better, before, after, change, pairChange };
  });
  const { base, head } = results.sides;
  const loads = (side) =>
    results.samples
      .filter((s) => s.side === side)
      .map((s) => s.loadAverageAtStart[0])
      .join(', ');
  console.log(
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ` +
      `${results.machine.node}; ${results.date}; ${results.samples.length / 2} pairs, alternating which goes first`,
  );
  const settings = (side) => (side.gatewaySettings ? `, gateway settings ${side.gatewaySettings}` : '');
  console.log(
    `before = ${base.commit} (${base.dir}${settings(base)}), load average at each run's start: ${loads('base')}`,
  );
  console.log(
    `after  = ${head.commit} (${head.dir}${settings(head)}), load average at each run's start: ${loads('head')}`,
  );
  console.log('');
  console.log(
    '| Figure | before (median) | after (median) | change of medians | change per pair: median (range) | target ' +
      '| before per pair | after per pair |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const pct = (x) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`);
  for (const s of results.summary) {
    const p = s.pairChange;
    const perPair = p.median === undefined ? '—' : `${pct(p.median)} (${pct(p.min)} … ${pct(p.max)})`;
    console.log(
      `| ${s.name} | ${f(s.before.median)} | ${f(s.after.median)} | ${pct(s.change)} | ${perPair} | ${s.target} | ` +
        `${s.before.values.map(f).join(' / ')} | ${s.after.values.map(f).join(' / ')} |`,
    );
  }
  console.log('');
  console.log('Spread of single runs within one build, (max − min) / median, before / after:');
  for (const s of results.summary)
    if (s.before.spread !== undefined || s.after.spread !== undefined)
      console.log(`  ${pct(s.before.spread).padStart(6)} / ${pct(s.after.spread).padStart(6)}  ${s.name}`);
  // The head's CPU profile (of its last intake run): what bounds it, for the closing note.
  const last = results.samples.filter((s) => s.side === 'head' && s.profile).at(-1);
  for (const [title, p] of [
    ['main thread', last?.profile],
    ['worker threads', last?.workerThreadsProfile],
  ]) {
    if (!p) continue;
    console.log('');
    console.log(
      `After: gateway CPU profile during intake, ${title} (pair ${last.pair + 1}; ${p.busySeconds ?? '?'} s busy of ` +
        `${p.sampledSeconds} s sampled; self time, idle left out):`,
    );
    const share = (t) => `${(t.share * 100).toFixed(0)} %`.padStart(5);
    for (const t of p.topModules.slice(0, 8)) console.log(`  module   ${share(t)}  ${t.name}`);
    for (const t of p.topFunctions.slice(0, 10)) console.log(`  function ${share(t)}  ${t.name}`);
  }
  console.log(`results: ${writeResults(results)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  if (!process.argv[2]) {
    console.error('usage: node bench/lib/pairs.mjs <bench/results/…json of a paired run>');
    process.exit(2);
  }
  report(JSON.parse(readFileSync(process.argv[2], 'utf8')));
}
