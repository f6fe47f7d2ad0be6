#!/usr/bin/env node
// Delivery figures (issue 7):
//  1. outbox → local HTTP receiver: deliveries per second of the outbox worker (src/delivery/worker.ts,
//     concurrency 32) over N sealed-looking messages seeded straight into a temporary SQLite store; the
//     receiver (answers 204 at once) runs in a child process so it does not share the worker's event loop;
//     then the same to RabbitMQ (BENCH_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672; a temporary
//     queue behind the default exchange, deleted after; skipped when the broker cannot be reached);
//  2. 202 → delivered: M Chemnitz example submissions, a few at a time, to the real gateway process whose
//     Chemnitz http destination points at a receiver in this process; the delay from the 202 to the first
//     arrival of the message id (`amtsbote-message-id`), p50 / p99.
//
// With BENCH_OUTBOX=gateway, part 1 runs in the real gateway process instead of a worker in this one: the N
// messages are seeded into its SQLite file first (through the store of the build under test), then `amtsbote serve`
// delivers them; the rate is taken at the receiver, first to last arrival, so it holds whatever thread or process
// the gateway delivers from (issue 26: paired runs of two builds, bench/lib/pairs.mjs).
//
// Run after a build:   npm run build && node bench/delivery.bench.mjs
// Options (env):       BENCH_DELIVERIES=2000, BENCH_AMQP_URL, BENCH_SUBMISSIONS=200, BENCH_SUBMIT_CONCURRENCY=4,
//                      BENCH_OUTBOX=worker|gateway, BENCH_PROFILE_DIR (gateway mode: --cpu-prof files there)
// Bounded: whatever happens, everything stops after 90 s (BENCH_MAX_SECONDS). Prints figures and writes
// bench/results/delivery-<date>.json; never part of pass/fail.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import amqp from 'amqplib';
import { fetch } from 'undici';
import { benchConfig, spawnBenchGateway } from './lib/gateway-process.mjs';
import { limit, root, sleep, startHarness, target, writeResults } from './lib/harness.mjs';

const load = (path) =>
  import(join(target, 'dist/src', path)).catch((error) => {
    console.error(`dist/src/${path} cannot be loaded (${error.message}): run "npm run build" first`);
    process.exit(2);
  });
const { openSqliteStore } = await load('store/sqlite.js');
const outboxIn = process.env.BENCH_OUTBOX ?? 'worker';

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 2000);
const submissions = Number(process.env.BENCH_SUBMISSIONS ?? 200);
const submitConcurrency = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 4);
const workerConcurrency = 32;
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 90);
const amqpUrl = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// With BENCH_OUTBOX=gateway: the gateway's CPU profiles (one file per thread) go to <dir>/<http|amqp>/.
const profileDir = process.env.BENCH_PROFILE_DIR;

// Everything started here is torn down here, also when the time is up.
const { cleanups, run, timeLeft, progress, header } = startHarness({
  bench: 'delivery',
  maxSeconds,
  onTimeUp: () => report(),
});
const results = {
  ...header,
  outboxIn,
  outbox: undefined,
  outboxAmqp: undefined,
  gateway: undefined,
  complete: false,
};

function report() {
  const rows = [];
  const o = results.outbox;
  if (o) {
    rows.push(['outbox → receiver, deliveries', `${o.delivered} of ${o.deliveries}`]);
    rows.push(['outbox → receiver, deliveries/s', o.perSecond?.toFixed(1) ?? '—']);
    if (o.in === 'gateway') rows.push(['outbox → receiver, in the gateway, arrivals', String(o.arrivals)]);
    else {
      rows.push(['outbox → receiver, requests seen', `${o.receiverRequests ?? '?'} (retries ${o.retries})`]);
      rows.push(['outbox: claims / mean batch', `${o.claimCalls} / ${o.meanClaimBatch.toFixed(2)}`]);
    }
    rows.push(['seeding (1 commit each), per s', o.seedPerSecond.toFixed(1)]);
  }
  const q = results.outboxAmqp;
  if (q) {
    rows.push(['outbox → RabbitMQ, deliveries', `${q.delivered} of ${q.deliveries}`]);
    rows.push(['outbox → RabbitMQ, deliveries/s', q.perSecond?.toFixed(1) ?? '—']);
    if (q.in !== 'gateway') rows.push(['outbox → RabbitMQ, queued', `${q.queued ?? '?'} (retries ${q.retries})`]);
  }
  const g = results.gateway;
  if (g) {
    rows.push(['gateway: accepted (202)', `${g.accepted} of ${g.submissions}`]);
    rows.push(['gateway: delivered (arrived)', `${g.arrived}`]);
    rows.push(['gateway: 202s per second', g.acceptedPerSecond.toFixed(1)]);
    if (g.delayMs) {
      rows.push(['202 → delivered, p50 ms', g.delayMs.p50.toFixed(1)]);
      rows.push(['202 → delivered, p99 ms', g.delayMs.p99.toFixed(1)]);
      rows.push(['202 → delivered, max ms', g.delayMs.max.toFixed(1)]);
      rows.push(['arrived before the 202 was read', String(g.arrivedBeforeAccepted)]);
    }
  }
  console.log(
    `Node ${results.node}, ${results.cores} cores, commit ${results.commit ?? '?'}, worker concurrency ${workerConcurrency}, submit concurrency ${submitConcurrency}`,
  );
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${String(v).padStart(12)}`);
  console.log(`results: ${writeResults(results)}`);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

// ---------------------------------------------------------------------------------------------------
// 1. Outbox → receiver
// ---------------------------------------------------------------------------------------------------

/**
 * A receiver child process answering 204 at once; on "poll" reports how many requests it saw and when the first
 * and the last ended (ms, its own clock), on "stop" the same and exits.
 */
async function startChildReceiver() {
  const code = `
    import { createServer } from 'node:http';
    import { performance } from 'node:perf_hooks';
    let requests = 0, first, last;
    const server = createServer((req, res) => { req.resume(); req.on('end', () => {
      requests++; last = performance.now(); first ??= last; res.writeHead(204).end(); }); });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
    process.stdin.on('data', (c) => {
      process.stdout.write(JSON.stringify({ requests, first, last }) + '\\n');
      if (c.toString().includes('stop')) process.exit(0);
    });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.setMaxListeners(0); // each next() waits for 'exit' too, and polls are many
  const lines = [];
  let buffered = '';
  let waiting;
  child.stdout.on('data', (c) => {
    buffered += c.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
      waiting?.();
    }
  });
  const next = () =>
    new Promise((resolveLine, reject) => {
      const take = () => {
        if (lines.length > 0) {
          waiting = undefined;
          resolveLine(lines.shift());
        }
      };
      waiting = take;
      take();
      child.once('exit', () => reject(new Error('receiver exited')));
    });
  const { port } = await next();
  const poll = async () => {
    child.stdin.write('poll\n');
    return Promise.race([next(), limit(5000, { requests: undefined })]);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return undefined;
    stopped = true;
    child.stdin.write('stop\n');
    const { requests } = await Promise.race([next(), limit(5000, { requests: undefined })]);
    child.kill('SIGKILL');
    return requests;
  };
  cleanups.push(stop);
  return { url: `http://127.0.0.1:${port}/eingang`, stop, poll };
}

/** A sealed-looking container (~14 KB of base64url, like a sealed 10 KB XÖV message). */
function sealedLooking(messageId, destinationId) {
  const jwe = (bytes) =>
    [
      'eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0',
      randomBytes(512),
      randomBytes(12),
      randomBytes(bytes),
      randomBytes(16),
    ]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  return JSON.stringify({
    format: 'amtsbote-sealed/1',
    messageId,
    destinationId,
    encryptedMetadata: jwe(1500),
    encryptedData: jwe(9000),
    encryptedAttachments: {},
  });
}

/**
 * A temporary queue behind RabbitMQ's default exchange; reports how many messages it holds when deleted. With
 * `consume`, this process takes the messages off (no ack) and `poll` reports how many, first and last arrival.
 */
async function startQueue({ consume = false } = {}) {
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  const queue = `amtsbote-bench-${randomUUID()}`;
  await channel.assertQueue(queue, { durable: true });
  const seen = { requests: 0, first: undefined, last: undefined };
  if (consume)
    await channel.consume(
      queue,
      () => {
        seen.requests++;
        seen.last = performance.now();
        seen.first ??= seen.last;
      },
      { noAck: true },
    );
  let stopped = false;
  const stop = async () => {
    if (stopped) return undefined;
    stopped = true;
    const { messageCount } = await channel.checkQueue(queue);
    await channel.deleteQueue(queue);
    await connection.close();
    return consume ? seen.requests : messageCount;
  };
  cleanups.push(stop);
  return { queue, stop, poll: async () => ({ ...seen }) };
}

/** The outbox worker delivering seeded messages over `kind` ('http' or 'amqp'); the figures go to `results[key]`. */
async function outboxBench(kind, key) {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-bench-outbox-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
  let storeOpen = true;
  const closeStore = async () => {
    if (storeOpen) {
      storeOpen = false;
      await store.close();
    }
  };
  cleanups.push(closeStore);
  await store.migrate();
  const receiver = kind === 'http' ? await startChildReceiver() : await startQueue();
  progress(`outbox (${kind}): seeding ${deliveries} deliveries`);
  // the worker's own modules, loaded only here (a throw, unlike load's exit, lets the harness tear down)
  const { startDeliveryWorker } = await import(join(target, 'dist/src/delivery/worker.js'));
  const { destinationSchema } = await import(join(target, 'dist/src/config/routing-schema.js'));
  const { createLogger } = await import(join(target, 'dist/src/lib/logger.js'));

  const publicKey = JSON.parse(
    readFileSync(join(root, 'test/fixtures/keys/recipient-encryption.private-jwk.DEVELOPMENT-ONLY.json'), 'utf8'),
  );
  const destination = destinationSchema.parse({
    id: 'bench-receiver',
    name: 'Bench receiver',
    adapter:
      kind === 'http'
        ? {
            kind: 'http',
            url: receiver.url,
            timeoutMs: 10_000,
            webhookSecret: 'file:demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY',
          }
        : { kind: 'amqp', url: 'env:BENCH_AMQP_URL', exchange: '', routingKey: receiver.queue, timeoutMs: 10_000 },
    encryptionKey: { jwk: { kty: 'RSA', kid: 'bench-enc', n: publicKey.n, e: publicKey.e } },
    receiptKey: { jwk: { kty: 'RSA', kid: 'bench-sig', n: publicKey.n, e: publicKey.e } },
    standard: { name: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300' },
    leser: { praefix: 'MELDID', kennung: '14511000', kennungListUri: 'urn:bench', name: 'Bench' },
    retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 50 },
  });

  // Seed N deliveries, one submission each, like intake would (the sealed body in its own table).
  const seedStarted = performance.now();
  let seeded = 0;
  for (; seeded < deliveries && timeLeft() > 30_000; seeded++) {
    const submissionId = randomUUID();
    const deliveryId = randomUUID();
    const receivedAt = new Date().toISOString();
    await store.acceptSubmission({
      submission: {
        id: submissionId,
        portalId: 'amt24',
        serviceKey: '99050012104000',
        regionKey: '145110000000',
        status: 'pending',
        test: true,
        dataHmac: 'bench',
        attachments: [],
        receivedAt,
      },
      deliveries: [{ id: deliveryId, destinationId: destination.id, state: 'pending' }],
      messages: [{ deliveryId, contentType: 'application/json', body: sealedLooking(deliveryId, destination.id) }],
      event: { at: receivedAt, type: 'received', data: { status: 'pending' } },
    });
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  progress(`outbox (${kind}): delivering with concurrency ${workerConcurrency}`);
  let delivered = 0;
  let retries = 0;
  let failed = 0;
  let allDone;
  const done = new Promise((r) => (allDone = r));
  const silent = createLogger({
    level: 'warn',
    destination: new Writable({
      write: (c, _e, cb) => {
        process.stderr.write(c);
        cb();
      },
    }),
  });
  // Counts the worker's claims and how many deliveries each took (the store is used as it is otherwise).
  const claims = { calls: 0, claimed: 0 };
  const countingStore = new Proxy(store, {
    get(target, key) {
      if (key !== 'claimDeliveries') return Reflect.get(target, key);
      return async (options) => {
        const claimed = await target.claimDeliveries(options);
        claims.calls++;
        claims.claimed += claimed.length;
        return claimed;
      };
    },
  });
  const started = performance.now();
  const worker = startDeliveryWorker({
    store: countingStore,
    routing: () => ({ version: 1, routing: { destinations: [destination], rules: [] } }),
    // the receiver listens on loopback, which the gateway's demo config allows too
    adapterContext: {
      dataDir: dir,
      configDir: join(target, 'config'),
      outbound: { allowLoopback: true, allowLinkLocal: false },
      now: () => new Date(),
    },
    logger: silent,
    concurrency: workerConcurrency,
    pollMs: 50,
    leaseMs: 30_000,
    attemptTimeoutMs: 10_000,
    onAttempt: (_d, outcome) => {
      if (outcome === 'delivered') delivered++;
      else if (outcome === 'retry') retries++;
      else failed++;
      if (delivered + failed >= seeded) allDone();
    },
  });
  let workerStopped = false;
  const stopWorker = async () => {
    if (!workerStopped) {
      workerStopped = true;
      await worker.stop(2000);
    }
  };
  cleanups.push(stopWorker);
  await Promise.race([done, limit(Math.max(1000, timeLeft() - 25_000))]);
  const seconds = (performance.now() - started) / 1000;
  progress('outbox: stopping the worker');
  await stopWorker();
  progress('outbox: stopping the receiver');
  const receiverCount = await receiver.stop();
  progress('outbox: closing the store');
  await closeStore();
  progress('outbox: done');
  results[key] = {
    kind,
    deliveries: seeded,
    delivered,
    retries,
    failed,
    seconds: Number(seconds.toFixed(3)),
    perSecond: delivered / seconds,
    ...(kind === 'http' ? { receiverRequests: receiverCount } : { queued: receiverCount }),
    claimCalls: claims.calls,
    meanClaimBatch: claims.claimed / Math.max(1, claims.calls),
    seedPerSecond: seeded / seedSeconds,
    workerConcurrency,
    bodyBytes: sealedLooking(randomUUID(), destination.id).length,
  };
}

/**
 * The same in the gateway process (BENCH_OUTBOX=gateway): the deliveries, to the Chemnitz destination, are seeded
 * into a migrated store file through the store of the build under test, and `amtsbote serve` delivers them (the
 * routing, seeded from the bench config at its first start, points the destination at the receiver). The rate is
 * the receiver's: arrivals from the first to the last, so neither start-up nor the seeding counts.
 */
async function gatewayOutboxBench(kind, key) {
  const receiver = kind === 'http' ? await startChildReceiver() : await startQueue({ consume: true });
  const adapter =
    kind === 'http'
      ? undefined
      : { kind: 'amqp', url: 'env:BENCH_AMQP_URL', exchange: '', routingKey: receiver.queue, timeoutMs: 10_000 };
  const { configFile, dataDir } = benchConfig(receiver.url ?? 'http://127.0.0.1:9/unused', cleanups, {}, { adapter });
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteStore(join(dataDir, 'amtsbote.sqlite'));
  await store.migrate();
  progress(`outbox (${kind}, gateway): seeding ${deliveries} deliveries into its store file`);
  const destinationId = 'chemnitz-gewerbeamt';
  const seedStarted = performance.now();
  let seeded = 0;
  for (; seeded < deliveries && timeLeft() > 30_000; seeded++) {
    const submissionId = randomUUID();
    const deliveryId = randomUUID();
    const receivedAt = new Date().toISOString();
    await store.acceptSubmission({
      submission: {
        id: submissionId,
        portalId: 'amt24',
        serviceKey: '99050012104000',
        regionKey: '145110000000',
        status: 'pending',
        test: true,
        dataHmac: 'bench',
        attachments: [],
        receivedAt,
      },
      deliveries: [{ id: deliveryId, destinationId, state: 'pending' }],
      messages: [{ deliveryId, contentType: 'application/json', body: sealedLooking(deliveryId, destinationId) }],
      event: { at: receivedAt, type: 'received', data: { status: 'pending' } },
    });
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await store.close();
  progress(`outbox (${kind}, gateway): starting the gateway, which delivers them`);
  const gateway = await spawnBenchGateway(
    { AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATA_DIR: dataDir, BENCH_AMQP_URL: amqpUrl },
    cleanups,
    timeLeft,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, kind)}`] : [],
  );
  let seen = { requests: 0 };
  for (let i = 0; i < 2400 && timeLeft() > 20_000; i++) {
    seen = (await receiver.poll()) ?? seen;
    if (seen.requests >= seeded) break;
    await sleep(100);
  }
  const peakRssMb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${gateway.pid}/status`, 'utf8'))[1]) / 1024;
  await gateway.stop();
  await receiver.stop();
  const seconds = seen.first === undefined ? undefined : (seen.last - seen.first) / 1000;
  results[key] = {
    kind,
    in: 'gateway',
    deliveries: seeded,
    delivered: Math.min(seeded, seen.requests),
    arrivals: seen.requests,
    seconds: seconds === undefined ? undefined : Number(seconds.toFixed(3)),
    // n arrivals span n - 1 intervals
    perSecond: seconds ? (Math.min(seeded, seen.requests) - 1) / seconds : undefined,
    seedPerSecond: seeded / seedSeconds,
    gatewayPeakRssMb: Math.round(peakRssMb),
    bodyBytes: sealedLooking(randomUUID(), destinationId).length,
  };
}

// ---------------------------------------------------------------------------------------------------
// 2. 202 → delivered through the gateway process
// ---------------------------------------------------------------------------------------------------

/** A receiver in this process: first arrival time of each message id; 204 at once. */
async function startLocalReceiver() {
  const firstArrival = new Map();
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const id = String(req.headers['amtsbote-message-id']);
      if (!firstArrival.has(id)) firstArrival.set(id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  cleanups.push(close);
  return { url: `http://127.0.0.1:${server.address().port}/gewerbe/eingang`, firstArrival, requests: () => requests };
}

async function gatewayBench() {
  const receiver = await startLocalReceiver();
  const { configFile, dataDir } = benchConfig(receiver.url, cleanups);
  progress('gateway: starting');
  const { url } = await spawnBenchGateway(
    { AMTSBOTE_CONFIG: configFile, AMTSBOTE_DATA_DIR: dataDir },
    cleanups,
    timeLeft,
  );
  progress(`gateway: submitting ${submissions}, ${submitConcurrency} at a time`);

  // The Gewerbe services go to chemnitz-gewerbeamt, the destination pointed at the local receiver.
  const examples = readdirSync(join(root, 'examples'))
    .filter((service) => service.startsWith('gewerbe'))
    .flatMap((service) =>
      readdirSync(join(root, 'examples', service))
        .filter((f) => f.startsWith('chemnitz-') && !f.includes('invalid') && f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(root, 'examples', service, f), 'utf8'))),
    );
  const acceptedAt = new Map();
  const refused = [];
  let next = 0;
  const submitStarted = performance.now();
  const lane = async () => {
    while (next < submissions && timeLeft() > 8000) {
      const i = next++;
      const res = await fetch(url + '/v1/submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer amt24-demo-token' },
        body: JSON.stringify({ ...examples[i % examples.length], reference: `BENCH-${i}` }),
      });
      const body = await res.json();
      const at = performance.now();
      if (res.status !== 202) {
        refused.push(res.status);
        continue;
      }
      const messageId = body.destinations.find((d) => d.destinationId === 'chemnitz-gewerbeamt')?.messageId;
      if (messageId) acceptedAt.set(messageId, at);
    }
  };
  await Promise.all(Array.from({ length: submitConcurrency }, lane));
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  progress('gateway: waiting for the last deliveries');
  // Wait (bounded) until every accepted message id has arrived.
  for (let i = 0; i < 2000 && timeLeft() > 3000; i++) {
    if ([...acceptedAt.keys()].every((id) => receiver.firstArrival.has(id))) break;
    await sleep(20);
  }
  const delays = [...acceptedAt]
    .filter(([id]) => receiver.firstArrival.has(id))
    .map(([id, at]) => receiver.firstArrival.get(id) - at)
    .sort((a, b) => a - b);
  results.gateway = {
    submissions,
    submitConcurrency,
    accepted: acceptedAt.size,
    refused: refused.length,
    arrived: delays.length,
    receiverRequests: receiver.requests(),
    acceptedPerSecond: acceptedAt.size / submitSeconds,
    arrivedBeforeAccepted: delays.filter((d) => d < 0).length,
    delayMs:
      delays.length === 0
        ? undefined
        : {
            p50: quantile(delays, 0.5),
            p90: quantile(delays, 0.9),
            p99: quantile(delays, 0.99),
            max: delays[delays.length - 1],
            min: delays[0],
          },
  };
}

const outbox = outboxIn === 'gateway' ? gatewayOutboxBench : outboxBench;
await run(async () => {
  await outbox('http', 'outbox');
  process.env.BENCH_AMQP_URL = amqpUrl;
  const brokerReachable = await amqp.connect(amqpUrl).then(
    (c) => c.close().then(() => true),
    () => false,
  );
  if (brokerReachable) await outbox('amqp', 'outboxAmqp');
  else progress(`outbox (amqp): ${amqpUrl.replace(/\/\/[^@]*@/, '//')} cannot be reached; skipped`);
  await gatewayBench();
  results.complete =
    results.outbox.delivered === results.outbox.deliveries &&
    results.gateway.arrived === results.gateway.accepted &&
    (results.outboxAmqp === undefined || results.outboxAmqp.delivered === results.outboxAmqp.deliveries);
}, report);
