import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { developmentSecretFile } from '../../src/config/gateway-secret.js';
import { copyStore } from '../../src/store/copy-store.js';
import { copyConfig } from '../helpers/config-copy.js';
import { copyFixtureKeys } from '../helpers/fixture-keys.js';
import { startTestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { examplesDir } from '../helpers/paths.js';
import { createTestDatabase } from '../helpers/postgres.js';

/**
 * Moving from SQLite to PostgreSQL as the README says — `store copy`, then the data dir's development HMAC secret
 * named as `hmacSecret: file:…` — keeps the key the stored hashes were made with (issue 28: the file was decoded on
 * SQLite but read as text when named, so every retry from before the move got 409). The data dir is one an
 * earlier release made: its secret file is in the bare form those releases wrote.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a move from SQLite to PostgreSQL', () => {
  it('answers a retry of a submission from before the move with its first answer, not 409', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-move-'));
    cleanups.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    writeFileSync(join(dataDir, 'keys', 'hmac.secret'), randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
    const keys = copyFixtureKeys();
    cleanups.push(() => {
      keys.remove();
    });
    const body = readFileSync(join(examplesDir, 'gewerbeanmeldung/leipzig-gmbh.json'), 'utf8');

    const sqliteConfig = copyConfig({ keys: keys.keys, delivery: { enabled: false } });
    cleanups.push(() => {
      sqliteConfig.remove();
    });
    const before = await startTestGateway({ configFile: sqliteConfig.configFile, dataDir });
    let first: Awaited<ReturnType<typeof postJson>>;
    try {
      first = await postJson(before.url, '/v1/submissions', body, { 'idempotency-key': 'before-the-move' });
      expect(first.status, JSON.stringify(first.body)).toBe(202);
    } finally {
      await before.stop();
    }

    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    await copyStore(`sqlite:${join(dataDir, 'amtsbote.sqlite')}`, database.url);
    const secretFile = developmentSecretFile(dataDir);
    const postgresConfig = copyConfig({
      keys: keys.keys,
      delivery: { enabled: false },
      settings: { hmacSecret: `file:${secretFile}`, store: { kind: 'postgres', url: database.url, poolSize: 2 } },
    });
    cleanups.push(() => {
      postgresConfig.remove();
    });
    const postgresDataDir = mkdtempSync(join(tmpdir(), 'amtsbote-move-pg-'));
    cleanups.push(() => {
      rmSync(postgresDataDir, { recursive: true, force: true });
    });
    const after = await startTestGateway({ configFile: postgresConfig.configFile, dataDir: postgresDataDir });
    try {
      const retry = await postJson(after.url, '/v1/submissions', body, { 'idempotency-key': 'before-the-move' });
      expect(retry.status, JSON.stringify(retry.body)).toBe(first.status);
      expect(retry.body.submissionId).toBe(first.body.submissionId);
    } finally {
      await after.stop();
    }
  });
});
