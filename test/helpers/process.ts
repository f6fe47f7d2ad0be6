import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

export const cliPath = join(projectRoot, 'dist/src/cli.js');

function requireBuild() {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run "npm run build" first (npm test does)`);
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `amtsbote serve` as a real process on a free port and waits (up to 30 s) for it to listen. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  requireBuild();
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    cwd: projectRoot,
    // The demo receiver listens on the demo's fixed Chemnitz port: only a test that asks for it gets it.
    env: { PATH: process.env.PATH ?? '', AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0', AMTSBOTE_DEMO_RECEIVER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // not left running: it would hold the data dir (SQLite's serve lock) and the port after the test
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start within 30 s:\n${out}`));
    }, 30_000);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) { resolve(child.exitCode); return; }
        child.once('exit', (code) => { resolve(code); });
        child.kill(signal);
      }),
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  requireBuild();
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI to completion without blocking this process: for when a server in the test process must answer it. */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  requireBuild();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => { resolve({ status, stdout, stderr }); });
  });
}
