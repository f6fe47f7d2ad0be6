import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireServeLock } from '../../src/store/serve-lock.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const dirs: string[] = [];
const gateways: TestGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-lock-'));
  dirs.push(dir);
  return dir;
}

describe('SQLite: one gateway process per data dir', () => {
  it('refuses a second gateway on the same data dir, naming it, while the CLI may still open the file', async () => {
    const dataDir = tempDir();
    gateways.push(await startTestGateway({ dataDir }));
    await expect(startTestGateway({ dataDir })).rejects.toThrow(
      new RegExp(`another gateway \\(process ${process.pid}\\) is serving the SQLite store in ${dataDir}`),
    );
    // what CLI commands do: open the same file alongside the serving gateway
    const cli = openSqliteStore(join(dataDir, 'amtsbote.sqlite'));
    await cli.migrate();
    expect(await cli.currentRoutingVersionNumber()).toBe(1);
    await cli.close();
    // once the first has stopped, the data dir is free again
    await gateways.pop()!.stop();
    expect(existsSync(join(dataDir, 'amtsbote.sqlite.serve-lock'))).toBe(false);
    gateways.push(await startTestGateway({ dataDir }));
  });

  it('takes over the lock of a gateway that was killed', () => {
    const dir = tempDir();
    const file = join(dir, 'amtsbote.sqlite');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${file}.serve-lock`, `${gone.stdout}\n`);
    const release = acquireServeLock(file, dir);
    expect(() => acquireServeLock(file, dir)).toThrow(/one gateway process per data dir/);
    release();
    acquireServeLock(file, dir)();
  });
});
