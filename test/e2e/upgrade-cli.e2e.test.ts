import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli, spawnGateway } from '../helpers/process.js';

/**
 * The operator's path through an upgrade from the first store release (test/fixtures/upgrade/c42e8f0, made by that
 * release's own gateway): `serve` refuses and says what to do, `store migrate` says it too, `store migrate
 * --dead-letter-unsealed` does it, and `serve` then starts and shows the portal its old submission.
 */
const fixture = join(projectRoot, 'test/fixtures/upgrade/c42e8f0');
const manifest = JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8')) as {
  submissions: { submissionId: string; token: string; accepted: { destinations: unknown[] } }[];
};
const pending = manifest.submissions.reduce((n, s) => n + s.accepted.destinations.length, 0);
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-upgrade-cli-'));
cpSync(join(fixture, 'data-dir'), dataDir, { recursive: true });
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const env = { AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0' };

describe('upgrading from the first store release on the command line', () => {
  it('refuses to serve, says so on store migrate, and serves after --dead-letter-unsealed', async () => {
    const refused = runCli(['serve'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`the store holds ${pending} deliveries accepted by a release before sealing`);
    const migrate = runCli(['store', 'migrate'], env);
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain(
      `the store holds ${pending} deliveries accepted by a release before sealing, which no release can deliver`,
    );
    const resolved = runCli(['store', 'migrate', '--dead-letter-unsealed'], env);
    expect(resolved.status, resolved.stderr).toBe(0);
    expect(resolved.stdout).toContain(
      `recorded ${pending} deliveries accepted before sealing as dead letters (accepted-before-sealing)`,
    );

    const gateway = await spawnGateway(env);
    try {
      const [first] = manifest.submissions;
      const status = await getJson(gateway.url, `/v1/submissions/${first!.submissionId}`, first!.token);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ status: 'dead-lettered' });
    } finally {
      await gateway.stop();
    }
  });
});
