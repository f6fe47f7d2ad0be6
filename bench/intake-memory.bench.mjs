#!/usr/bin/env node
// Issue 19 F4: what large submissions cost the gateway in memory. The real gateway process (SQLite, delivery
// off, so intake alone is measured) gets 8 concurrent submissions of about 23 MB each (two attachments of
// 8.8 MB, base64 in JSON), in one round (or more); the figure is the process's peak resident set (VmHWM), target
// < 300 MB. Also reported: RSS after start-up, each request's status and time, and how long the round took.
//
//   node bench/intake-memory.bench.mjs            (after npm run build)
// Options (env): BENCH_MEMORY_CONCURRENCY=8, BENCH_MEMORY_ROUNDS=1, BENCH_MEMORY_ATTACHMENT_BYTES=8800000,
// BENCH_MEMORY_MULTIPART=1 (send multipart instead of JSON), BENCH_MAX_SECONDS=300, BENCH_INTAKE_THREADS (default: the
// gateway's, one per core; 0: intake's CPU work on the event loop),
// BENCH_CLI=<path to another checkout's dist/src/cli.js, run as `node <cli> serve`, or to a launcher such as its
// bin/amtsbote> (to measure that version, or this one without its launcher, with the same load),
// BENCH_NODE_OPTIONS (the gateway's NODE_OPTIONS, e.g. --trace-gc), BENCH_GATEWAY_OUTPUT=<file> (its log, appended),
// BENCH_TARGET=<another checkout, built> (its bin/amtsbote and config instead of this one's).
import { Buffer } from 'node:buffer';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { Agent, fetch } from 'undici';
import { benchConfig } from './lib/gateway-process.mjs';
import { builtCli, limit, root, sleep, startHarness, target, writeResults } from './lib/harness.mjs';

// The gateway as `amtsbote serve` and `npm start` run it: through bin/amtsbote, which sets glibc's malloc up.
const cli = process.env.BENCH_CLI ?? join(target, 'bin/amtsbote');
const cliFile = cli.endsWith('.js') ? cli : builtCli(target);
if (!existsSync(cliFile)) {
  console.error(`${cliFile} is missing: run "npm run build" first`);
  process.exit(2);
}
const concurrency = Number(process.env.BENCH_MEMORY_CONCURRENCY ?? 8);
const rounds = Number(process.env.BENCH_MEMORY_ROUNDS ?? 1);
const attachmentBytes = Number(process.env.BENCH_MEMORY_ATTACHMENT_BYTES ?? 8_800_000);
const multipart = process.env.BENCH_MEMORY_MULTIPART === '1';
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 300);
const token = 'amt24-demo-token';
const exampleFile = 'examples/gewerbeanmeldung/leipzig-gmbh.json';
const example = JSON.parse(readFileSync(join(root, exampleFile), 'utf8'));

const { cleanups, run, timeLeft, progress, header } = startHarness({
  bench: 'intake-memory',
  maxSeconds,
  onTimeUp: () => report(),
});
const results = {
  ...header,
  cli,
  request: exampleFile,
  concurrency,
  rounds,
  multipart,
  attachmentBytes,
  bodyBytes: undefined,
  startRssMb: undefined,
  peakRssMb: undefined,
  rounds_: [],
  complete: false,
};
// rounds_ holds each round's figures (rounds is the count asked for)

const status = (pid) => readFileSync(`/proc/${pid}/status`, 'utf8');
const kb = (text, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) / 1024;

/** Two attachments of `attachmentBytes` pseudo-random bytes (incompressible, as scanned PDFs are). */
function bodies() {
  const content = (seed) => {
    const b = Buffer.alloc(attachmentBytes);
    let x = seed;
    for (let i = 0; i < b.length; i += 4) {
      x = (x * 1_103_515_245 + 12_345) >>> 0;
      b.writeUInt32LE(x, Math.min(i, b.length - 4));
    }
    b.write('%PDF-1.7\n', 0);
    return b;
  };
  const files = [content(1), content(2)];
  const attachments = files.map((_, i) => ({
    id: `att-${i + 1}`,
    filename: `anlage-${i + 1}.pdf`,
    mediaType: 'application/pdf',
  }));
  return (n) => {
    const envelope = { ...example, reference: `MEM-${n}-${Date.now()}` };
    if (!multipart) {
      return {
        type: 'application/json',
        body: Buffer.from(
          JSON.stringify({
            ...envelope,
            attachments: attachments.map((a, i) => ({ ...a, content: files[i].toString('base64') })),
          }),
        ),
      };
    }
    const parts = [
      Buffer.from(
        `--mem\r\nContent-Disposition: form-data; name="submission"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ ...envelope, attachments })}\r\n`,
      ),
    ];
    attachments.forEach((a, i) => {
      parts.push(
        Buffer.from(
          `--mem\r\nContent-Disposition: form-data; name="${a.id}"; filename="${a.filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        files[i],
        Buffer.from('\r\n'),
      );
    });
    parts.push(Buffer.from('--mem--\r\n'));
    return { type: 'multipart/form-data; boundary=mem', body: Buffer.concat(parts) };
  };
}

async function startGateway() {
  const config = benchConfig('http://127.0.0.1:9/unused', cleanups, {
    delivery: { enabled: false },
    // On a busy shared machine a body may wait, or stall, longer than the defaults' 15 s: a request refused then
    // is cut off while it still sends (EPIPE here, not retried), and the round measures fewer submissions.
    limits: {
      bodyWaitSeconds: 120,
      bodyIdleSeconds: 120,
      // BENCH_INTAKE_THREADS=0 measures intake on the event loop (before issue 26's pool), for a pair
      ...(process.env.BENCH_INTAKE_THREADS ? { intakeThreads: Number(process.env.BENCH_INTAKE_THREADS) } : {}),
    },
  });
  const [command, args] = cli.endsWith('.js') ? [process.execPath, [cli, 'serve']] : [cli, ['serve']];
  const child = spawn(command, args, {
    cwd: target,
    env: {
      PATH: process.env.PATH ?? '',
      AMTSBOTE_CONFIG: config.configFile,
      AMTSBOTE_DATA_DIR: config.dataDir,
      AMTSBOTE_PORT: '0',
      AMTSBOTE_METRICS_PORT: '0',
      AMTSBOTE_LOG_LEVEL: 'info',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, limit(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  const collect = (c) => {
    out = (out + c.toString()).slice(-100_000);
    if (process.env.BENCH_GATEWAY_OUTPUT) appendFileSync(process.env.BENCH_GATEWAY_OUTPUT, c);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  for (let i = 0; i < 1200 && timeLeft() > 0; i++) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (match) return { url: match[1], pid: child.pid, output: () => out };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`gateway did not start:\n${out.slice(-4000)}`);
}

function report() {
  console.log(
    `| concurrent submissions | ${concurrency} × ${results.bodyBytes ? (results.bodyBytes / 1e6).toFixed(1) : '?'} MB (${multipart ? 'multipart' : 'JSON'}) |`,
  );
  console.log(`| RSS after start-up | ${results.startRssMb?.toFixed(0) ?? '?'} MB |`);
  console.log(`| peak RSS (VmHWM) | ${results.peakRssMb?.toFixed(0) ?? '?'} MB (target < 300 MB) |`);
  for (const [i, r] of results.rounds_.entries())
    console.log(
      `| round ${i + 1} | ${r.seconds.toFixed(1)} s; final statuses ${JSON.stringify(r.statuses)}; ${r.retriedAfter503} retries after 503 |`,
    );
  console.log(`results: ${writeResults(results)}`);
}

await run(async () => {
  const make = bodies();
  progress('starting the gateway');
  const gateway = await startGateway();
  await sleep(1000);
  results.startRssMb = kb(status(gateway.pid), 'VmRSS');
  // Sampled while it runs, so the figure survives a round that fails or runs out of time.
  const sampler = setInterval(() => {
    try {
      results.peakRssMb = kb(status(gateway.pid), 'VmHWM');
    } catch {
      /* the process has ended */
    }
  }, 250);
  cleanups.push(async () => {
    clearInterval(sampler);
  });
  // On a busy shared machine an answer may take minutes: no client-side timeouts but the bench's own bound.
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: concurrency * 2 });
  for (let round = 0; round < rounds && timeLeft() > 0; round++) {
    const requests = Array.from({ length: concurrency }, (_, i) => make(round * concurrency + i));
    results.bodyBytes = requests[0].body.length;
    progress(`round ${round + 1}: ${concurrency} × ${(results.bodyBytes / 1e6).toFixed(1)} MB at once`);
    const started = performance.now();
    const answers = await Promise.all(
      requests.map(async ({ type, body }) => {
        const t = performance.now();
        // A portal sends a 503 again after Retry-After (the memory budget's answer); at most 30 times here.
        for (let attempt = 1; ; attempt++) {
          let res;
          try {
            res = await fetch(`${gateway.url}/v1/submissions`, {
              method: 'POST',
              headers: { 'content-type': type, authorization: `Bearer ${token}` },
              body,
              dispatcher,
            });
          } catch (error) {
            // reported, not retried: a refusal must reach the portal as an answer, not a broken connection
            return {
              status: `failed: ${error.cause?.code ?? error.name}`,
              attempts: attempt,
              ms: Math.round(performance.now() - t),
            };
          }
          const text = await res.text();
          if (res.status === 503 && attempt < 30 && timeLeft() > 0) {
            await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
            continue;
          }
          return {
            status: res.status,
            attempts: attempt,
            ms: Math.round(performance.now() - t),
            detail: res.status === 202 ? undefined : text.slice(0, 200),
          };
        }
      }),
    );
    const statuses = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    results.rounds_.push({
      seconds: (performance.now() - started) / 1000,
      statuses,
      retriedAfter503: answers.reduce((n, a) => n + a.attempts - 1, 0),
      answers,
    });
  }
  results.peakRssMb = kb(status(gateway.pid), 'VmHWM');
  results.complete = true;
}, report);
