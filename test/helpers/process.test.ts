import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson } from './http.js';
import { spawnGateway, type GatewayProcess } from './process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-process-helper-'));
let gateway: GatewayProcess | undefined;
afterAll(async () => {
  await gateway?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('spawnGateway', () => {
  it('gives up after its bound with the output, and leaves no process behind; stop() kills what does not exit', async () => {
    await expect(spawnGateway({ AMTSBOTE_DATA_DIR: dataDir }, { startupMs: 1 })).rejects.toThrow(
      /gateway did not say it listens within 0\.001 s/,
    );
    // the process given up on is gone: a new one on the same data dir gets SQLite's serve lock and answers
    gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir }, { stopMs: 1000 });
    expect((await getJson(gateway.url, '/health/ready')).status).toBe(200);

    // a process that does not react to SIGTERM (here: stopped) is killed once the bound has passed
    gateway.child.kill('SIGSTOP');
    expect(await gateway.stop('SIGTERM')).toBeNull();
    expect(gateway.child.signalCode).toBe('SIGKILL');
  });
});
