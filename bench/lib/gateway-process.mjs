// The real gateway process for benchmarks: a config copy pointing the Chemnitz destination at a local
// receiver, and `amtsbote serve` on a free port.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { builtCli, limit, sleep, target } from './harness.mjs';

/**
 * config/ copied (of the build under test, BENCH_TARGET), with the Chemnitz destination pointing at `url` (or,
 * with `adapter`, delivering through that adapter instead), owner-only copies of the fixture gateway keys, and
 * `settings` set at the top of gateway.yaml, then $BENCH_GATEWAY_SETTINGS (JSON). Removed by `cleanups`.
 */
export function benchConfig(url, cleanups, settings = {}, { adapter } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-bench-config-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sourceDir = join(target, 'config');
  const configDir = join(dir, 'config');
  cpSync(sourceDir, configDir, { recursive: true });
  const key = (name) => {
    const file = join(dir, `${name}.private-jwk.json`);
    copyFileSync(join(target, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
    chmodSync(file, 0o600);
    return file;
  };
  const gatewayFile = join(configDir, 'gateway.yaml');
  const gateway = parseDocument(readFileSync(gatewayFile, 'utf8'));
  for (const [k, fallback] of [
    ['mappings', '../mappings'],
    ['xsd', '../xsd'],
  ])
    gateway.set(k, resolve(sourceDir, gateway.get(k) ?? fallback));
  gateway.set('keys', { signing: [{ file: key('gateway-signing-1') }], escrow: [{ file: key('gateway-escrow-1') }] });
  // a benchmark measures the pipeline, not the portal's rate limit
  gateway.setIn(['limits', 'portalRequestsPerSecond'], 100_000);
  gateway.setIn(['limits', 'portalBurst'], 100_000);
  // BENCH_GATEWAY_SETTINGS (JSON, e.g. {"delivery":{"thread":true},"limits":{"intakeThreads":1}}) comes last, over
  // the bench's own settings, so paired runs compare both builds in the configuration asked for.
  for (const extra of [settings, JSON.parse(process.env.BENCH_GATEWAY_SETTINGS || '{}')]) {
    for (const [k, value] of Object.entries(extra)) {
      // `limits` and `delivery` are merged into what is there (the rate limit above among it); other keys are replaced
      if (k === 'limits' || k === 'delivery')
        for (const [name, v] of Object.entries(value)) gateway.setIn([k, name], v);
      else gateway.set(k, value);
    }
  }
  writeFileSync(gatewayFile, gateway.toString());
  const routingFile = join(configDir, gateway.get('routing') ?? 'routing.yaml');
  const routing = parseDocument(readFileSync(routingFile, 'utf8'));
  const chemnitz = routing.get('destinations').items.find((d) => d.get('id') === 'chemnitz-gewerbeamt');
  if (!chemnitz) throw new Error('routing.yaml has no chemnitz-gewerbeamt');
  if (adapter) chemnitz.set('adapter', routing.createNode(adapter));
  else chemnitz.setIn(['adapter', 'url'], url);
  chemnitz.set(
    'retry',
    routing.createNode({ initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 50 }, { flow: true }),
  );
  writeFileSync(routingFile, routing.toString());
  return { configFile: gatewayFile, dir, dataDir: join(dir, 'data') };
}

/**
 * `amtsbote serve` with `env` (and `nodeArgs` such as `--cpu-prof`, which NODE_OPTIONS refuses); resolves to
 * its URL, process id and a stop function (also registered in `cleanups`).
 */
export async function spawnBenchGateway(env, cleanups, timeLeft, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, builtCli(target), 'serve'], {
    cwd: target,
    env: {
      PATH: process.env.PATH ?? '',
      AMTSBOTE_PORT: '0',
      AMTSBOTE_METRICS_PORT: '0',
      AMTSBOTE_LOG_LEVEL: 'info',
      // what bin/amtsbote sets (node is started here directly, for `nodeArgs`): the gateway as operators run it
      MALLOC_MMAP_THRESHOLD_: '1048576',
      ...env,
    },
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
  const collect = (c) => {
    out = (out + c.toString()).slice(-200_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  for (let i = 0; i < 600 && timeLeft() > 0; i++) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (match) return { url: match[1], pid: child.pid, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`gateway did not start:\n${out.slice(-4000)}`);
}
