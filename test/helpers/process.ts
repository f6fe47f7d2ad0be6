import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';
import { processBoundMs } from './wait.js';

/** What `amtsbote` (bin/amtsbote) runs: the build's bundle, so the end-to-end tests run what operators run. */
export const cliPath = join(projectRoot, 'dist/bundle/cli.js');
/** The same command as compiled modules, one file each: for tests that check which modules a command loads. */
export const sourceCliPath = join(projectRoot, 'dist/src/cli.js');

/** Fails with what to do when a file of the build a test runs is not there. */
export function requireBuilt(file: string = cliPath): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm test does)`);
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /**
   * Sends `signal` and resolves with the exit code (null after a signal) once the process has exited. Never
   * rejects and never waits unbounded: a process still running after the bound is killed (SIGKILL).
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** How long the process may take to say it listens; generous by default, for a busy machine. */
  startupMs?: number;
  /** How long stop() waits for the exit before it kills the process. */
  stopMs?: number;
  /** The command's file: the bundle unless a test needs the modules one by one (sourceCliPath). */
  cli?: string;
}

/** The gateway's own readiness signal: the log line it writes once the store, the worker and the HTTP server run. */
function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'gateway listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves with the exit code once `child` has exited, or with `undefined` after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<number | null | undefined> {
  if (exited(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(undefined);
    }, ms);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      resolve(code);
    };
    child.once('exit', onExit);
  });
}

/** Kills `child` and waits (bounded) until it is gone, so that it holds no data dir or port afterwards. */
async function kill(child: ChildProcess): Promise<number | null> {
  if (exited(child)) return child.exitCode;
  child.kill('SIGKILL');
  return (await exitWithin(child, processBoundMs)) ?? null;
}

/**
 * Starts `amtsbote serve` as a real process on a free port and resolves once the process itself says it
 * listens (its "gateway listening" log line, written after the store, the worker and the server are up).
 * Bounded by `startupMs` (120 s by default); a process that exits early or misses the bound is killed and
 * the rejection carries its output.
 */
export async function spawnGateway(env: Record<string, string>, options: SpawnOptions = {}): Promise<GatewayProcess> {
  const cli = options.cli ?? cliPath;
  requireBuilt(cli);
  const startupMs = options.startupMs ?? processBoundMs;
  const stopMs = options.stopMs ?? processBoundMs;
  const child = spawn(process.execPath, [cli, 'serve'], {
    cwd: projectRoot,
    // The demo receiver listens on the demo's fixed Chemnitz port: only a test that asks for it gets it.
    env: {
      PATH: process.env.PATH ?? '',
      AMTSBOTE_PORT: '0',
      AMTSBOTE_METRICS_PORT: '0',
      AMTSBOTE_DEMO_RECEIVER: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let pendingLine = '';
  let announced: ((url: string) => void) | undefined;
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    const text = c.toString();
    out += text;
    // a log line may arrive split over several chunks: look at complete lines only
    const lines = (pendingLine + text).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      const url = listeningUrl(line);
      if (url) announced?.(url);
    }
  });
  const tail = () => out.slice(-8000);

  const started = new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code ?? signal} before it listened:\n${tail()}`));
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      // not left running: it would hold the data dir (SQLite's serve lock) and the port after the test
      void kill(child).then(() => {
        reject(new Error(`gateway did not say it listens within ${startupMs / 1000} s:\n${tail()}`));
      });
    }, startupMs);
    announced = (url) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(url);
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`gateway could not be started: ${error.message}`));
    });
    child.once('exit', onExit);
  });
  const url = await started;
  announced = undefined;
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (exited(child)) return child.exitCode;
      child.kill(signal);
      const code = await exitWithin(child, stopMs);
      return code === undefined ? kill(child) : code;
    },
  };
}

/** Runs the CLI to completion (bounded, generously: a CLI start is slow on a busy machine). */
export function runCli(args: string[], env: Record<string, string> = {}) {
  requireBuilt();
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: processBoundMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI to completion without blocking this process: for when a server in the test process must answer it. */
export function runCliAsync(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  requireBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: processBoundMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}
