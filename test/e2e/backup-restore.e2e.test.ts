import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, postJson } from '../helpers/http.js';
import { examplesDir } from '../helpers/paths.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';

/**
 * A backup restores whole (issue 28): `store backup` writes owner-only and never over a file unasked, says which
 * files outside the store to keep with it; `store restore` puts it into an empty data dir, which then serves the
 * submissions and answers a retry with its Idempotency-Key as before.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-backup-'));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
async function serve(dataDir: string): Promise<GatewayProcess> {
  const gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0' });
  cleanups.push(() => gateway.stop());
  return gateway;
}

describe('store backup and store restore (SQLite)', () => {
  it('backs up owner-only, refuses to overwrite unasked, names the key files, and restores into an empty data dir that serves', async () => {
    const original = tempDir();
    const backups = tempDir();
    const body = readFileSync(join(examplesDir, 'gewerbeanmeldung/dresden-einzelunternehmen.json'), 'utf8');
    const gateway = await serve(original);
    const first = await postJson(gateway.url, '/v1/submissions', body, { 'idempotency-key': 'before-the-backup' });
    expect(first.status, JSON.stringify(first.body)).toBe(202);

    const file = join(backups, 'amtsbote.sqlite');
    const backup = runCli(['store', 'backup', file], { AMTSBOTE_DATA_DIR: original });
    expect(backup.status, backup.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toContain(`${join(original, 'keys', 'hmac.secret')} — the development HMAC secret`);
    expect(backup.stdout).toContain(`${join(original, 'keys')}/ — the development signing and escrow keys`);
    const again = runCli(['store', 'backup', file], { AMTSBOTE_DATA_DIR: original });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${file} exists: choose another file, or add --force to overwrite it`);
    expect(runCli(['store', 'backup', file, '--force'], { AMTSBOTE_DATA_DIR: original }).status).toBe(0);
    await gateway.stop();

    // a restore refuses a data dir that has a store, unless told
    const refused = runCli(['store', 'restore', file], { AMTSBOTE_DATA_DIR: original });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/exists: restore into an empty data dir, or add --force/);

    const restored = tempDir();
    const restore = runCli(['store', 'restore', file], { AMTSBOTE_DATA_DIR: restored });
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('Put back before starting');
    expect(statSync(join(restored, 'amtsbote.sqlite')).mode & 0o777).toBe(0o600);
    cpSync(join(original, 'keys'), join(restored, 'keys'), { recursive: true });

    const second = await serve(restored);
    const status = await getJson(second.url, `/v1/submissions/${String(first.body.submissionId)}`);
    expect(status.status).toBe(200);
    const retry = await postJson(second.url, '/v1/submissions', body, { 'idempotency-key': 'before-the-backup' });
    expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300);
    expect(retry.body.submissionId).toBe(first.body.submissionId);
  });
});
