#!/usr/bin/env node
// `npm run bench` (issue 13): every figure of the benchmark in one run, in sequence, each part bounded by a
// fixed time or count, the whole in about five minutes — one table on stdout (markdown, for the README) and
// one JSON file in bench/results/ (machine, commit, every figure).
//
//   Limit     raw PS512/RSA-4096 signatures per second with node:crypto on all cores, ÷ signatures per submission
//   Intake    the real gateway process over HTTP (SQLite), autocannon in a process of its own, 1 / 8 / 64 clients,
//             then half the best rate; p50/p95/p99; start-up time; peak RSS; a CPU profile of the gateway
//   Delivery  bench/delivery.bench.mjs: outbox → local HTTP receiver and → RabbitMQ; 202 → delivered delay
//   Scale     the gateway on SQLite holding 0, 100 000 and 1 000 000 finished submissions (seeded straight into
//             the file), 8 clients each
//   Stores    bench/stores.bench.mjs: SQLite vs PostgreSQL, one vs two instances on PostgreSQL
//
// Options (env): BENCH_INTAKE_SECONDS=10, BENCH_SCALE_SECONDS=8, BENCH_SCALE_HISTORY=0,100000,1000000,
// BENCH_MAX_SECONDS=480, BENCH_PARTS=limit,intake,delivery,scale,stores (intake needs limit), BENCH_GATEWAY_SETTINGS
// (JSON set over the gateways' gateway.yaml, e.g. {"delivery":{"thread":true}}). Needs a build (npm run
// bench builds first), PostgreSQL and RabbitMQ as for the tests. BENCH_TARGET=<another checkout, built> drives that
// checkout's build with this bench code. BENCH_BASE=<another checkout, built> runs before/after as alternating
// pairs of base and this checkout instead (bench/lib/pairs.mjs: BENCH_PAIRS=3, BENCH_PARTS there also takes
// memory and cli).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetch } from 'undici';
import { summariseCpuProfile } from './lib/cpu-profile.mjs';
import { benchConfig, spawnBenchGateway } from './lib/gateway-process.mjs';
import { limit, root, sleep, startHarness, target, writeResults } from './lib/harness.mjs';
import { runLoad } from './lib/load.mjs';
import { seedHistory } from './lib/seed-history.mjs';
import { rawSignRate } from './lib/sign-rate.mjs';

if (process.env.BENCH_BASE && !process.env.BENCH_TARGET) {
  // before/after: this script runs again per side and pair, as a child with BENCH_TARGET set
  const { runPairs } = await import('./lib/pairs.mjs');
  process.exit(await runPairs());
}
if (!existsSync(join(target, 'dist/src/cli.js'))) {
  console.error(`${join(target, 'dist/src/cli.js')} is missing: run "npm run build" first`);
  process.exit(2);
}

const intakeSeconds = Number(process.env.BENCH_INTAKE_SECONDS ?? 10);
const scaleSeconds = Number(process.env.BENCH_SCALE_SECONDS ?? 8);
const history = (process.env.BENCH_SCALE_HISTORY ?? '0,100000,1000000').split(',').map(Number);
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 480);
const parts = new Set((process.env.BENCH_PARTS ?? 'limit,intake,delivery,scale,stores').split(','));
const clientCounts = [1, 8, 64];
const token = 'amt24-demo-token';
// The same request body on every run: a valid Chemnitz Gewerbeanmeldung (a fresh `reference` per request).
const exampleFile = 'examples/gewerbeanmeldung/chemnitz-eingetragener-kaufmann.json';
const submission = JSON.parse(readFileSync(join(root, exampleFile), 'utf8'));

const { cleanups, run, timeLeft, progress, header } = startHarness({
  bench: 'bench',
  maxSeconds,
  onTimeUp: () => report(),
});
const results = {
  ...header,
  machine: {
    cpu: cpus()[0]?.model,
    cores: header.cores,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  loadAverage: { start: loadavg(), end: undefined },
  request: exampleFile,
  limit: undefined,
  intake: undefined,
  delivery: undefined,
  scale: undefined,
  stores: undefined,
  complete: false,
};
const work = mkdtempSync(join(tmpdir(), 'amtsbote-bench-run-'));
cleanups.push(async () => rmSync(work, { recursive: true, force: true }));

/** A receiver in this process answering 204 at once (the gateway's Chemnitz destination points here). */
async function startReceiver() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${server.address().port}/gewerbe/eingang`, requests: () => requests };
}

/** Starts a gateway and waits for /health/ready: the process, and the start-up time (spawn → ready). */
async function startGateway(env, nodeArgs = []) {
  const started = performance.now();
  const gateway = await spawnBenchGateway(env, cleanups, timeLeft, nodeArgs);
  for (let i = 0; i < 400 && timeLeft() > 0; i++) {
    const ready = await fetch(`${gateway.url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { ...gateway, startupMs: Math.round(performance.now() - started) };
    await sleep(10);
  }
  throw new Error('the gateway never became ready');
}

/** The process's peak resident set (VmHWM), in MB. */
const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** One submission by hand: the number of destinations (= signatures) it needs. */
async function destinationsPerSubmission(url) {
  const res = await fetch(`${url}/v1/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...submission, reference: `BENCH-PROBE-${Date.now()}` }),
  });
  const body = await res.json();
  if (res.status !== 202) throw new Error(`the bench submission was refused: ${res.status} ${JSON.stringify(body)}`);
  return body.destinations.length;
}

const load = (url, connections, seconds, overallRate = 0) =>
  runLoad({ url, token, submission, connections, seconds, overallRate }, cleanups);

async function limitPart() {
  progress('limit: raw PS512 signatures on all cores');
  const signaturesPerSecond = await rawSignRate({ seconds: 5, concurrency: header.cores * 2 });
  results.limit = { signaturesPerSecond, signaturesPerSubmission: undefined, submissionsPerSecond: undefined };
}

async function intakePart() {
  const receiver = await startReceiver();
  const { configFile, dataDir } = benchConfig(receiver.url, cleanups);
  const profileDir = join(work, 'profile');
  mkdirSync(profileDir);
  progress('intake: starting the gateway (with --cpu-prof)');
  const gateway = await startGateway({ AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATA_DIR: dataDir }, [
    '--cpu-prof',
    `--cpu-prof-dir=${profileDir}`,
  ]);
  const signatures = await destinationsPerSubmission(gateway.url);
  results.limit.signaturesPerSubmission = signatures;
  results.limit.submissionsPerSecond = results.limit.signaturesPerSecond / signatures;
  progress('intake: warming up');
  await load(gateway.url, 8, 3);
  const runs = [];
  for (const connections of clientCounts) {
    progress(`intake: ${connections} client(s), ${intakeSeconds} s`);
    runs.push(await load(gateway.url, connections, intakeSeconds));
  }
  const best = Math.max(...runs.map((r) => r.acceptedPerSecond));
  const halfRate = Math.max(1, Math.round(best / 2));
  progress(`intake: ${halfRate}/s (half the best rate), 16 clients, ${intakeSeconds} s`);
  const half = await load(gateway.url, 16, intakeSeconds, halfRate);
  const rssMb = peakRssMb(gateway.pid);
  progress('intake: stopping the gateway (writes the profile)');
  await gateway.stop();
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread, the others worker threads
  const profileFiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  const thread = (f) => Number(f.split('.').at(-3));
  const mainProfile = profileFiles.find((f) => thread(f) === 0);
  const workerProfiles = profileFiles.filter((f) => thread(f) !== 0).map((f) => join(profileDir, f));
  results.intake = {
    runs: runs.map((r) => ({ ...r, ratioToLimit: r.acceptedPerSecond / results.limit.submissionsPerSecond })),
    best,
    bestRatioToLimit: best / results.limit.submissionsPerSecond,
    halfRate: { ...half, targetRate: halfRate },
    startupMs: gateway.startupMs,
    peakRssMb: rssMb,
    receiverRequests: receiver.requests(),
    profile: mainProfile ? summariseCpuProfile(join(profileDir, mainProfile)) : undefined,
    workerThreadsProfile: workerProfiles.length > 0 ? summariseCpuProfile(workerProfiles) : undefined,
  };
}

/** Runs another bench script as a child, its results in this run's folder; returns its results. */
async function runPart(script, bench, env) {
  const resultsDir = join(work, 'parts');
  const child = spawn(process.execPath, [join(root, 'bench', script)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BENCH_RESULTS_DIR: resultsDir, ...env },
  });
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const code = await Promise.race([
    new Promise((r) => child.once('exit', r)),
    limit(Math.max(1000, timeLeft() - 5000), 'time is up'),
  ]);
  if (code !== 0) throw new Error(`${script} ended with ${code}`);
  const file = readdirSync(resultsDir).find((f) => f.startsWith(`${bench}-`));
  return JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
}

async function deliveryPart() {
  progress('delivery: bench/delivery.bench.mjs');
  const d = await runPart('delivery.bench.mjs', 'delivery', {
    BENCH_DELIVERIES: process.env.BENCH_DELIVERIES ?? '3000',
    BENCH_SUBMISSIONS: process.env.BENCH_SUBMISSIONS ?? '300',
    BENCH_SUBMIT_CONCURRENCY: '4',
  });
  results.delivery = { http: d.outbox, amqp: d.outboxAmqp, gateway: d.gateway, complete: d.complete };
}

async function scalePart() {
  const { openSqliteStore } = await import(join(target, 'dist/src/store/sqlite.js'));
  const receiver = await startReceiver();
  const { configFile, dataDir } = benchConfig(receiver.url, cleanups);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'amtsbote.sqlite');
  const store = openSqliteStore(file);
  await store.migrate();
  await store.close();
  const steps = [];
  let seeded = 0;
  for (const target of history) {
    if (target > seeded) {
      progress(`scale: seeding ${target - seeded} finished submissions (to ${target})`);
      const started = performance.now();
      const rowsPerSecond = seedHistory(file, target - seeded);
      progress(
        `scale: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(rowsPerSecond)} rows/s)`,
      );
      seeded = target;
    }
    const gateway = await startGateway({ AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATA_DIR: dataDir });
    await load(gateway.url, 8, 2);
    progress(`scale: ${target} finished submissions, 8 clients, ${scaleSeconds} s`);
    const run = await load(gateway.url, 8, scaleSeconds);
    steps.push({
      history: target,
      startupMs: gateway.startupMs,
      peakRssMb: peakRssMb(gateway.pid),
      fileMb: Math.round(sizeMb(file)),
      ...run,
    });
    await gateway.stop();
  }
  const rates = steps.map((s) => s.acceptedPerSecond);
  results.scale = { store: 'sqlite', steps, spread: (Math.max(...rates) - Math.min(...rates)) / rates[0] };
}

/** The SQLite file with its write-ahead log, in MB. */
const sizeMb = (file) =>
  ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0), 0) /
  2 ** 20;

async function storesPart() {
  progress('stores: bench/stores.bench.mjs');
  const s = await runPart('stores.bench.mjs', 'stores', { BENCH_SUBMISSIONS: '400', BENCH_SUBMIT_CONCURRENCY: '8' });
  results.stores = {
    submissions: s.submissions,
    submitConcurrency: s.submitConcurrency,
    runs: s.runs,
    complete: s.complete,
  };
}

const f = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(digits));
const ms = (l) => `${f(l.p50)} / ${f(l.p95)} / ${f(l.p99)}`;
const pct = (x) => (x === undefined ? '—' : `${(x * 100).toFixed(0)} %`);

/** The one table (markdown, pasted into the README as it is) and the results file. */
function report() {
  results.loadAverage.end = loadavg();
  const m = results.machine;
  const rows = [];
  const row = (part, figure, value, target = '') => rows.push([part, figure, value, target]);
  const l = results.limit;
  if (l) {
    row('Limit', 'PS512 RSA-4096 signatures/s, node:crypto, all cores', f(l.signaturesPerSecond));
    row('Limit', `signatures per submission (destinations)`, f(l.signaturesPerSubmission, 0));
    row('Limit', 'submissions/s', f(l.submissionsPerSecond));
  }
  const i = results.intake;
  if (i) {
    for (const r of i.runs) {
      row(
        'Intake',
        `${r.connections} client(s): 202/s (ratio to limit)`,
        `${f(r.acceptedPerSecond)} (${pct(r.ratioToLimit)})`,
        r.connections === 64 ? '≥ 50 % of limit' : '',
      );
      row('Intake', `${r.connections} client(s): latency p50 / p95 / p99 ms`, ms(r.latencyMs));
      if (r.responses !== r.accepted)
        row('Intake', `${r.connections} client(s): responses other than 202`, JSON.stringify(r.statuses));
    }
    const h = i.halfRate;
    row('Intake', `at half the best rate (${h.targetRate}/s, 16 clients): 202/s`, f(h.acceptedPerSecond));
    row('Intake', 'at half the best rate: latency p50 / p95 / p99 ms', ms(h.latencyMs), 'p99 < 100 ms');
    row('Intake', 'start-up, spawn → /health/ready (empty store)', `${i.startupMs} ms`);
    row('Intake', 'peak RSS of the gateway (VmHWM)', `${f(i.peakRssMb, 0)} MB`, '< 300 MB');
    if (i.profile) row('Intake', 'gateway main thread busy (CPU profile)', pct(i.profile.mainThreadBusyShare));
  }
  const d = results.delivery;
  if (d) {
    if (d.http)
      row(
        'Delivery',
        `outbox → local HTTP receiver, msg/s (${d.http.delivered} msgs)`,
        f(d.http.perSecond),
        '≥ 2000 msg/s',
      );
    if (d.amqp) row('Delivery', `outbox → RabbitMQ, msg/s (${d.amqp.delivered} msgs)`, f(d.amqp.perSecond));
    if (d.gateway?.delayMs)
      row(
        'Delivery',
        `202 → delivered p50 / p99 ms (${d.gateway.arrived} submissions)`,
        `${f(d.gateway.delayMs.p50)} / ${f(d.gateway.delayMs.p99)}`,
      );
  }
  const s = results.scale;
  if (s) {
    for (const step of s.steps) {
      row(
        'Scale',
        `${step.history.toLocaleString('en')} finished (SQLite ${step.fileMb} MB): 202/s, p99 ms`,
        `${f(step.acceptedPerSecond)}, ${f(step.latencyMs.p99)}`,
      );
      row(
        'Scale',
        `${step.history.toLocaleString('en')} finished: start-up ms, peak RSS MB`,
        `${step.startupMs}, ${f(step.peakRssMb, 0)}`,
        step.history === 0 ? '' : '< 300 MB',
      );
    }
    if (s.steps.length > 1) row('Scale', 'throughput spread, 0 → most history', pct(s.spread), '± 10 %');
  }
  const st = results.stores;
  if (st) {
    for (const r of st.runs)
      row(
        'Stores',
        `${r.name}: 202/s (${st.submitConcurrency} clients), all delivered after`,
        `${f(r.acceptedPerSecond)}, ${f(r.allDeliveredSeconds, 2)} s`,
      );
  }
  console.log(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; commit ${results.commit ?? '?'}; ${results.date}; load average ${f(results.loadAverage.start[0], 2)} at the start`,
  );
  console.log('');
  console.log('| Part | Figure | Value | Target |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (i?.profile) {
    console.log('');
    console.log(
      `Gateway CPU profile during intake (main thread, ${i.profile.sampledSeconds} s sampled, self time, idle left out):`,
    );
    for (const t of i.profile.topModules.slice(0, 8)) console.log(`  module   ${pct(t.share).padStart(5)}  ${t.name}`);
    for (const t of i.profile.topFunctions.slice(0, 10))
      console.log(`  function ${pct(t.share).padStart(5)}  ${t.name}`);
    for (const t of i.profile.costliestFunctionCallers)
      console.log(
        `  ${i.profile.topFunctions[0].name.split(' ')[0]} called from ${pct(t.share).padStart(5)}  ${t.name}`,
      );
  }
  const w = i?.workerThreadsProfile;
  if (w) {
    console.log('');
    console.log(
      `Worker threads (${w.profiles} profiles, ${w.busySeconds} s busy of ${w.sampledSeconds} s sampled), self time:`,
    );
    for (const t of w.topModules.slice(0, 8)) console.log(`  module   ${pct(t.share).padStart(5)}  ${t.name}`);
    for (const t of w.topFunctions.slice(0, 8)) console.log(`  function ${pct(t.share).padStart(5)}  ${t.name}`);
  }
  console.log(`results: ${writeResults(results)}`);
}

await run(async () => {
  if (parts.has('limit') || parts.has('intake')) await limitPart();
  if (parts.has('intake')) await intakePart();
  if (parts.has('delivery')) await deliveryPart();
  if (parts.has('scale')) await scalePart();
  if (parts.has('stores')) await storesPart();
  results.complete = true;
}, report);
