import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.js';

// The guard acts on errors no handler caught, which a test runner catches first: so it runs in a process
// of its own, from the build (npm test builds first).
const dist = join(projectRoot, 'dist/src/observability');

function runGuarded(body: string, options: { maxFaults: number }) {
  if (!existsSync(join(dist, 'process-guard.js'))) throw new Error('dist/ is missing: run "npm run build" first');
  const script = `
    import { installProcessGuard } from ${JSON.stringify(pathToFileURL(join(dist, 'process-guard.js')).href)};
    import { createLogger } from ${JSON.stringify(pathToFileURL(join(dist, '../lib/logger.js')).href)};
    const counts = {};
    installProcessGuard({
      logger: createLogger({ level: 'info' }),
      record: (kind) => { counts[kind] = (counts[kind] ?? 0) + 1; },
      shutdown: () => { console.log(JSON.stringify({ shutdown: true, counts })); process.exit(7); },
      maxFaults: ${options.maxFaults},
      windowMs: 60000,
    });
    ${body}
    setTimeout(() => { console.log(JSON.stringify({ alive: true, counts })); process.exit(0); }, 1500);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lines };
}

describe('the process guard of amtsbote serve', () => {
  it('logs and counts an uncaught exception and an unhandled rejection, and keeps the process running', () => {
    const run = runGuarded(
      `setTimeout(() => { throw new Error('Erika Mustermann, Hauptstraße 1'); }, 10);
       setTimeout(() => { void Promise.reject(new TypeError('token abc123')); }, 20);`,
      { maxFaults: 20 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.lines.find((l) => l.alive)).toEqual({
      alive: true,
      counts: { uncaughtException: 1, unhandledRejection: 1 },
    });
    const faults = run.lines.filter((l) => l.msg === 'an error escaped every handler; the gateway keeps running');
    expect(faults.map((l) => [l.level, l.fault, l.errorClass])).toEqual([
      [50, 'uncaughtException', 'Error'],
      [50, 'unhandledRejection', 'TypeError'],
    ]);
    // The message may quote a request: only class, code and stack frames reach the log.
    expect(run.stdout).not.toContain('Mustermann');
    expect(run.stdout).not.toContain('abc123');
  });

  it('asks for a graceful shutdown when faults come faster than the limit', () => {
    const run = runGuarded(
      `for (let i = 0; i < 5; i++) setTimeout(() => { throw new RangeError('again'); }, 10 + i);`,
      { maxFaults: 3 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(7);
    expect(run.lines.find((l) => l.shutdown)).toEqual({ shutdown: true, counts: { uncaughtException: 3 } });
    expect(run.stdout).toContain('too many escaped errors: shutting down for a restart');
  });
});
