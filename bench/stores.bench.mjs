#!/usr/bin/env node
// Store figures (issue 10): submissions per second accepted (202) through
//  1. one gateway process on SQLite, and
//  2. two gateway processes on one PostgreSQL database (a fresh database on 127.0.0.1:5432, dropped after),
// the same Chemnitz Gewerbe examples, BENCH_SUBMIT_CONCURRENCY at a time (spread over the instances in turn),
// the Chemnitz destination pointing at a receiver in this process that answers 204 at once. The time until
// every accepted message has arrived is reported too (the outbox keeps up or it does not).
//
// Run after a build:   npm run build && node bench/stores.bench.mjs
// Options (env):       BENCH_SUBMISSIONS=400, BENCH_SUBMIT_CONCURRENCY=8, BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432
// Bounded: whatever happens, everything stops after 180 s (BENCH_MAX_SECONDS). Prints figures and writes
// bench/results/stores-<date>.json; never part of pass/fail.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';
import pg from 'pg';
import { fetch } from 'undici';
import { parseDocument } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const submissions = Number(process.env.BENCH_SUBMISSIONS ?? 400);
const submitConcurrency = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 8);
const postgresServer = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 180);
const hmacSecret = randomBytes(32).toString('base64url');
const benchStarted = Date.now();
const deadline = benchStarted + maxSeconds * 1000;
const timeLeft = () => deadline - Date.now();
const progress = (what) => process.stderr.write(`[${((Date.now() - benchStarted) / 1000).toFixed(1).padStart(5)} s] ${what}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const limit = (ms, value) => new Promise((r) => setTimeout(r, ms, value).unref());

if (!existsSync(join(root, 'dist/src/cli.js'))) {
  console.error('dist/src/cli.js is missing: run "npm run build" first');
  process.exit(2);
}

// Everything started here is torn down here, also when the time is up.
const cleanups = [];
const cleanup = async () => {
  while (cleanups.length > 0) await cleanups.pop()().catch(() => undefined);
};
const results = {
  bench: 'stores',
  date: new Date().toISOString(),
  commit: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  })(),
  node: process.version,
  cores: availableParallelism(),
  /** The machine is shared: its 1/5/15-minute load at the start and at the end, to read the figures by. */
  loadAverage: { start: loadavg(), end: undefined },
  submissions,
  submitConcurrency,
  runs: [],
  complete: false,
};
const watchdog = setTimeout(() => {
  console.error(`time is up (${maxSeconds} s): stopping; figures so far follow`);
  void cleanup().finally(() => {
    report();
    process.exit(3);
  });
}, maxSeconds * 1000);

function report() {
  results.loadAverage.end = loadavg();
  console.log(`Node ${results.node}, ${results.cores} cores (load ${results.loadAverage.start[0].toFixed(1)} at the start), commit ${results.commit ?? '?'}, ${submissions} submissions, ${submitConcurrency} at a time`);
  for (const run of results.runs) {
    console.log(`${run.name.padEnd(28)} ${String(run.accepted).padStart(4)} accepted, ${run.acceptedPerSecond.toFixed(1).padStart(6)}/s;  all delivered after ${run.allDeliveredSeconds?.toFixed(2) ?? '—'} s   refused ${run.refused}`);
  }
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `stores-${results.date.slice(0, 10)}.json`);
  writeFileSync(file + '.tmp', JSON.stringify(results, null, 2) + '\n');
  renameSync(file + '.tmp', file);
  console.log(`results: ${file}`);
}

/** A receiver in this process: which message ids arrived; 204 at once. */
async function startReceiver() {
  const arrived = new Set();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.add(String(req.headers['amtsbote-message-id']));
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${server.address().port}/gewerbe/eingang`, arrived };
}

/** config/ copied: the Chemnitz destination at `url`, the fixture gateway keys (owner-only), a configured HMAC secret. */
function configCopy(url) {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-bench-stores-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sourceDir = join(root, 'config');
  const configDir = join(dir, 'config');
  cpSync(sourceDir, configDir, { recursive: true });
  const key = (name) => {
    const file = join(dir, `${name}.private-jwk.json`);
    copyFileSync(join(root, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
    chmodSync(file, 0o600);
    return file;
  };
  const gatewayFile = join(configDir, 'gateway.yaml');
  const gateway = parseDocument(readFileSync(gatewayFile, 'utf8'));
  for (const [k, fallback] of [['mappings', '../mappings'], ['xsd', '../xsd']]) gateway.set(k, resolve(sourceDir, gateway.get(k) ?? fallback));
  gateway.set('keys', { signing: [{ file: key('gateway-signing-1') }], escrow: [{ file: key('gateway-escrow-1') }] });
  gateway.set('hmacSecret', 'env:AMTSBOTE_HMAC_SECRET');
  writeFileSync(gatewayFile, gateway.toString());
  const routingFile = join(configDir, gateway.get('routing') ?? 'routing.yaml');
  const routing = parseDocument(readFileSync(routingFile, 'utf8'));
  const chemnitz = routing.get('destinations').items.find((d) => d.get('id') === 'chemnitz-gewerbeamt');
  if (!chemnitz) throw new Error('routing.yaml has no chemnitz-gewerbeamt');
  chemnitz.setIn(['adapter', 'url'], url);
  chemnitz.set('retry', routing.createNode({ initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 50 }, { flow: true }));
  writeFileSync(routingFile, routing.toString());
  return { configFile: gatewayFile, dir };
}

async function spawnGateway(env) {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', AMTSBOTE_PORT: '0', AMTSBOTE_HMAC_SECRET: hmacSecret, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, limit(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanups.push(stop);
  let out = '';
  const collect = (c) => { out = (out + c.toString()).slice(-200_000); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  for (let i = 0; i < 600 && timeLeft() > 0; i++) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (match) return { url: match[1], stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`gateway did not start:\n${out.slice(-4000)}`);
}

const examples = readdirSync(join(root, 'examples')).filter((service) => service.startsWith('gewerbe')).flatMap((service) =>
  readdirSync(join(root, 'examples', service))
    .filter((f) => f.startsWith('chemnitz-') && !f.includes('invalid') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(root, 'examples', service, f), 'utf8'))),
);

/** Submits to the instances in turn, `submitConcurrency` at a time; the 202s per second and the time until all arrived. */
async function measure(name, urls, receiver) {
  // a short warm-up per instance (first requests compile schemas, open connections)
  for (const url of urls) await post(url, -1);
  const accepted = [];
  let refused = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < submissions && timeLeft() > 20_000) {
      const i = next++;
      const res = await post(urls[i % urls.length], i);
      if (res.messageId) accepted.push(res.messageId);
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: submitConcurrency }, lane));
  const submitSeconds = (performance.now() - started) / 1000;
  let allDeliveredSeconds;
  for (let i = 0; i < 3000 && timeLeft() > 10_000; i++) {
    if (accepted.every((id) => receiver.arrived.has(id))) {
      allDeliveredSeconds = (performance.now() - started) / 1000;
      break;
    }
    await sleep(20);
  }
  const run = { name, instances: urls.length, accepted: accepted.length, refused, submitSeconds: Number(submitSeconds.toFixed(3)), acceptedPerSecond: accepted.length / submitSeconds, allDeliveredSeconds };
  results.runs.push(run);
  progress(`${name}: ${run.acceptedPerSecond.toFixed(1)} accepted/s`);
}

async function post(url, i) {
  const res = await fetch(url + '/v1/submissions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer amt24-demo-token' },
    body: JSON.stringify({ ...examples[Math.abs(i) % examples.length], reference: `BENCH-${i}` }),
  });
  const body = await res.json();
  return { messageId: res.status === 202 ? body.destinations.find((d) => d.destinationId === 'chemnitz-gewerbeamt')?.messageId : undefined };
}

async function onServer(query) {
  const client = new pg.Client({ connectionString: `${postgresServer}/postgres` });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

try {
  const receiver = await startReceiver();
  const { configFile, dir } = configCopy(receiver.url);

  progress('SQLite: one instance');
  const sqlite = await spawnGateway({ AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATA_DIR: join(dir, 'data-sqlite') });
  await measure('SQLite, one instance', [sqlite.url], receiver);
  await sqlite.stop();

  const database = `amtsbote_bench_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE ${database}`);
  cleanups.push(() => onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const env = { AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATABASE_URL: `${postgresServer}/${database}` };
  progress('PostgreSQL: one instance, then two');
  const first = await spawnGateway({ ...env, AMTSBOTE_DATA_DIR: join(dir, 'data-pg-1') });
  await measure('PostgreSQL, one instance', [first.url], receiver);
  const second = await spawnGateway({ ...env, AMTSBOTE_DATA_DIR: join(dir, 'data-pg-2') });
  await measure('PostgreSQL, two instances', [first.url, second.url], receiver);
  results.complete = true;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
  report();
}
