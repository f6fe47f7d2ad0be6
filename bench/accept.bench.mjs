#!/usr/bin/env node
// The SQLite store's acceptSubmission alone, in this process: accepts per second and CPU per accept at 1, 8
// and 64 concurrent callers, each a submission with one delivery, a 16 KB sealed message and a 16 KB escrow
// copy, on a fresh file per step (WAL, synchronous=FULL, as the gateway runs it). It isolates what grouped
// commits change (store/sqlite-grouped-accept.ts) from the rest of intake, whose HTTP, mapping and sealing
// dominate `npm run bench`.
//
// Run after a build:   npm run build && node bench/accept.bench.mjs
// Options (env):       BENCH_ACCEPT_SECONDS=3 (per step)
// Bounded: each step by time and by 1 000 000 accepts; everything stops after 60 s (BENCH_MAX_SECONDS).
// Prints figures and writes bench/results/accept-<date>.json; never part of pass/fail.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root, startHarness, writeResults } from './lib/harness.mjs';

if (!existsSync(join(root, 'dist/src/store/sqlite.js'))) {
  console.error('dist/src/store/sqlite.js is missing: run "npm run build" first');
  process.exit(2);
}
const { openSqliteStore } = await import(join(root, 'dist/src/store/sqlite.js'));

const seconds = Number(process.env.BENCH_ACCEPT_SECONDS ?? 3);
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 60);
const callerCounts = [1, 8, 64];
const sealed = randomBytes(12_000).toString('base64');

const { cleanups, run, progress, header } = startHarness({ bench: 'accept', maxSeconds, onTimeUp: () => report() });
const results = { ...header, loadAverage: { start: loadavg(), end: undefined }, secondsPerStep: seconds, steps: [] };

function input() {
  const id = randomUUID();
  const deliveryId = randomUUID();
  const at = new Date().toISOString();
  return {
    submission: {
      id,
      portalId: 'amt24',
      serviceKey: '99050012104000',
      regionKey: '145110000000',
      status: 'pending',
      test: false,
      dataHmac: 'hmac-sha512:x',
      attachments: [],
      receivedAt: at,
    },
    deliveries: [{ id: deliveryId, destinationId: 'chemnitz-gewerbeamt', state: 'pending', signingKid: 'bench' }],
    messages: [{ deliveryId, contentType: 'application/json', body: sealed }],
    escrow: { escrowKid: 'bench', body: sealed },
    event: { at, type: 'received', data: { status: 'pending', destinations: ['chemnitz-gewerbeamt'] } },
  };
}

async function step(callers) {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-bench-accept-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore(join(dir, 'amtsbote.sqlite'));
  cleanups.push(() => store.close());
  await store.migrate();
  progress(`${callers} caller(s), ${seconds} s`);
  let accepted = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end && accepted < 1_000_000) {
        await store.acceptSubmission(input());
        accepted++;
      }
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  results.steps.push({
    callers,
    accepted,
    perSecond: accepted / wallSeconds,
    cpuMsPerAccept: (used.user + used.system) / 1000 / accepted,
  });
}

function report() {
  results.loadAverage.end = loadavg();
  console.log(
    `SQLite acceptSubmission, ${results.date}, commit ${results.commit ?? '?'}, load average ${results.loadAverage.start[0].toFixed(2)} at the start`,
  );
  for (const s of results.steps)
    console.log(
      `  ${String(s.callers).padStart(2)} caller(s): ${s.perSecond.toFixed(0)} accepts/s, ${s.cpuMsPerAccept.toFixed(2)} ms CPU per accept`,
    );
  console.log(`results: ${writeResults(results)}`);
}

await run(async () => {
  for (const callers of callerCounts) await step(callers);
}, report);
