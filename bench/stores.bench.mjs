#!/usr/bin/env node
// Store figures (issue 10): submissions per second accepted (202) through
//  1. one gateway process on SQLite, and
//  2. one, then two gateway processes on one PostgreSQL database (a fresh database on 127.0.0.1:5432, dropped after),
// the same Chemnitz Gewerbe examples, BENCH_SUBMIT_CONCURRENCY at a time (spread over the instances in turn),
// the Chemnitz destination pointing at a receiver in this process that answers 204 at once. The time until
// every accepted message has arrived is reported too (the outbox keeps up or it does not).
//
// Run after a build:   npm run build && node bench/stores.bench.mjs
// Options (env):       BENCH_SUBMISSIONS=400, BENCH_SUBMIT_CONCURRENCY=8, BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432
// Bounded: whatever happens, everything stops after 180 s (BENCH_MAX_SECONDS). Prints figures and writes
// bench/results/stores-<date>.json; never part of pass/fail.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { fetch } from 'undici';
import { benchConfig, spawnBenchGateway } from './lib/gateway-process.mjs';
import { root, sleep, startHarness, writeResults } from './lib/harness.mjs';

const submissions = Number(process.env.BENCH_SUBMISSIONS ?? 400);
const submitConcurrency = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 8);
const postgresServer = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 180);
const hmacSecret = randomBytes(32).toString('base64url');

if (!existsSync(join(root, 'dist/src/cli.js'))) {
  console.error('dist/src/cli.js is missing: run "npm run build" first');
  process.exit(2);
}

const { cleanups, run, timeLeft, progress, header } = startHarness({
  bench: 'stores',
  maxSeconds,
  onTimeUp: () => report(),
});
const results = {
  ...header,
  /** The machine is shared: its 1/5/15-minute load at the start and at the end, to read the figures by. */
  loadAverage: { start: loadavg(), end: undefined },
  submissions,
  submitConcurrency,
  runs: [],
  complete: false,
};

function report() {
  results.loadAverage.end = loadavg();
  console.log(
    `Node ${results.node}, ${results.cores} cores (load ${results.loadAverage.start[0].toFixed(1)} at the start), commit ${results.commit ?? '?'}, ${submissions} submissions, ${submitConcurrency} at a time`,
  );
  for (const run of results.runs) {
    console.log(
      `${run.name.padEnd(28)} ${String(run.accepted).padStart(4)} accepted, ${run.acceptedPerSecond.toFixed(1).padStart(6)}/s;  all delivered after ${run.allDeliveredSeconds?.toFixed(2) ?? '—'} s   refused ${run.refused}`,
    );
  }
  console.log(`results: ${writeResults(results)}`);
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
  cleanups.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${server.address().port}/gewerbe/eingang`, arrived };
}

const examples = readdirSync(join(root, 'examples'))
  .filter((service) => service.startsWith('gewerbe'))
  .flatMap((service) =>
    readdirSync(join(root, 'examples', service))
      .filter((f) => f.startsWith('chemnitz-') && !f.includes('invalid') && f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(root, 'examples', service, f), 'utf8'))),
  );

/**
 * Submits to the instances in turn, `submitConcurrency` at a time; the 202s per second and the time until all arrived.
 */
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
  const run = {
    name,
    instances: urls.length,
    accepted: accepted.length,
    refused,
    submitSeconds: Number(submitSeconds.toFixed(3)),
    acceptedPerSecond: accepted.length / submitSeconds,
    allDeliveredSeconds,
  };
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
  return {
    messageId:
      res.status === 202
        ? body.destinations.find((d) => d.destinationId === 'chemnitz-gewerbeamt')?.messageId
        : undefined,
  };
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

await run(async () => {
  const receiver = await startReceiver();
  const { configFile, dir } = benchConfig(receiver.url, cleanups, { hmacSecret: 'env:AMTSBOTE_HMAC_SECRET' });
  const spawnGateway = (env) => spawnBenchGateway({ AMTSBOTE_HMAC_SECRET: hmacSecret, ...env }, cleanups, timeLeft);

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
}, report);
