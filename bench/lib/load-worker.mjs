// The load generator, in a process of its own so it does not share the gateway's or the orchestrator's
// event loop: autocannon POSTs the same submission (a fresh `reference` on each request, no idempotency
// key) for a fixed time, and this prints one JSON line: requests per second of 202s, latency of every
// response (plain, without coordinated-omission correction), and the status codes seen.
//
//   node bench/lib/load-worker.mjs '{"url":…,"token":…,"submission":{…},"connections":8,"seconds":10,"overallRate":0}'
import autocannon from 'autocannon';

const { url, token, submission, connections, seconds, overallRate = 0 } = JSON.parse(process.argv[2] ?? '{}');
let counter = 0;
const run = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
const latencies = [];
const statuses = {};

const instance = autocannon({
  url: `${url}/v1/submissions`,
  connections,
  duration: seconds,
  ...(overallRate > 0 ? { overallRate } : {}),
  timeout: 30,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ ...submission, reference: `BENCH-${run}-${++counter}` }),
      }),
    },
  ],
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  latencies.push(responseTime);
});
instance.on('done', (result) => {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))] ?? null;
  const seconds = result.duration;
  process.stdout.write(
    JSON.stringify({
      connections,
      overallRate,
      seconds,
      responses: latencies.length,
      accepted: statuses[202] ?? 0,
      acceptedPerSecond: (statuses[202] ?? 0) / seconds,
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: latencies.at(-1) ?? null },
    }) + '\n',
  );
});
