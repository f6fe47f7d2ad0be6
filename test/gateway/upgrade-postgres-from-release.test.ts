import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { developmentSecretFile } from '../../src/config/gateway-secret.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { copyConfig } from '../helpers/config-copy.js';
import { startTestGateway } from '../helpers/gateway.js';
import { projectRoot } from '../helpers/paths.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { expectCarried, expectServedAfterUpgrade, readUpgradeManifest } from '../helpers/upgrade-checks.js';

/**
 * A PostgreSQL store made by the first release with PostgreSQL support (9135aaf), produced by that release's own
 * gateway with `scripts/make-upgrade-fixture.mjs --postgres` and kept as a plain SQL dump, is restored into a
 * fresh database and opened by the current code. That release ran with the fixture's development gateway keys
 * (it refused PostgreSQL without `keys:`) and still created its HMAC secret in the data dir (bare base64url), so
 * the current code is given the same keys and that secret file as `hmacSecret: file:…`, as the README says.
 */
const fixture = join(projectRoot, 'test/fixtures/upgrade/9135aaf-postgres');
const manifest = readUpgradeManifest(fixture);
const cleanups: (() => unknown)[] = [];
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  cleanups.push(() => database.drop());
  execFileSync(
    'psql',
    ['--quiet', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-d', database.url, '-f', join(fixture, 'amtsbote.sql')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    },
  );
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-upgrade-pg-'));
  cleanups.push(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  cpSync(join(fixture, 'data-dir'), dataDir, { recursive: true });
  chmodSync(join(dataDir, 'keys', 'hmac.secret'), 0o600);
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Owner-only copies of the fixture's gateway keys (git keeps no file modes; the gateway reads only such files). */
function fixtureKeys(): { signing: string; escrow: string } {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-upgrade-keys-'));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const copy = (name: string) => {
    const file = join(dir, `${name}.private-jwk.DEVELOPMENT-ONLY.json`);
    copyFileSync(join(fixture, 'keys', `${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
    chmodSync(file, 0o600);
    return file;
  };
  return { signing: copy('gateway-signing-1'), escrow: copy('gateway-escrow-1') };
}

describe(`upgrading a PostgreSQL store made by release ${manifest.commit.slice(0, 7)}`, () => {
  it('carried every submission, status, event log, portal token and pending delivery, each delivery with its sealed message', async () => {
    const store = openPostgresStore(database.url, { poolSize: 2 });
    try {
      await expectCarried(store, manifest, 0);
    } finally {
      await store.close();
    }
  });

  it('serves the old submissions to their portals, answers their retries as before and takes new ones', async () => {
    const config = copyConfig({
      keys: fixtureKeys(),
      delivery: { enabled: false },
      settings: {
        hmacSecret: `file:${developmentSecretFile(dataDir)}`,
        store: { kind: 'postgres', url: database.url, poolSize: 2 },
      },
    });
    cleanups.push(() => {
      config.remove();
    });
    const gateway = await startTestGateway({ configFile: config.configFile, dataDir });
    try {
      await expectServedAfterUpgrade(gateway.url, manifest, 'pending');
    } finally {
      await gateway.stop();
    }
  });
});
