import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startTestGateway } from '../helpers/gateway.js';
import { projectRoot } from '../helpers/paths.js';
import {
  expectCarried,
  expectServedAfterUpgrade,
  pendingDeliveryCount,
  readUpgradeManifest,
} from '../helpers/upgrade-checks.js';

/**
 * A data dir made by the first release of the store (c42e8f0: portal tokens stored as plain hash strings,
 * Idempotency-Keys in clear, deliveries without sealed messages), produced by that release's own gateway
 * with scripts/make-upgrade-fixture.mjs, is opened by the current code.
 */
const fixture = join(projectRoot, 'test/fixtures/upgrade/c42e8f0');
const manifest = readUpgradeManifest(fixture);

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-upgrade-'));
cpSync(join(fixture, 'data-dir'), dataDir, { recursive: true });
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const storeFile = join(dataDir, 'amtsbote.sqlite');
const pendingDeliveries = pendingDeliveryCount(manifest);

describe(`upgrading a SQLite data dir made by release ${manifest.commit.slice(0, 7)}`, () => {
  it('refuses to start while deliveries it cannot make are pending, and names the step that resolves them', async () => {
    await expect(startTestGateway({ dataDir })).rejects.toThrow(
      new RegExp(
        `holds ${pendingDeliveries} deliveries accepted by a release before sealing.*amtsbote store migrate --dead-letter-unsealed`,
        's',
      ),
    );
  });

  it('carried every submission, status, event log, portal token and pending delivery', async () => {
    const store = openSqliteStore(storeFile);
    try {
      // the Idempotency-Keys stored in clear by the old release are hashed by migration 0010 with the data dir's secret
      await expectCarried(store, manifest, pendingDeliveries);
    } finally {
      await store.close();
    }
  });

  it('after the operator dead-letters the unsealed deliveries, serves the old submissions to their portals, answers their retries as before and takes new ones', async () => {
    const store = openSqliteStore(storeFile);
    try {
      expect(await store.deadLetterUnsealed(new Date().toISOString())).toBe(pendingDeliveries);
      expect(await store.countUnsealedDeliveries()).toBe(0);
    } finally {
      await store.close();
    }
    const gateway = await startTestGateway({ dataDir });
    try {
      await expectServedAfterUpgrade(gateway.url, manifest, 'dead-lettered');
    } finally {
      await gateway.stop();
    }
  });
});
