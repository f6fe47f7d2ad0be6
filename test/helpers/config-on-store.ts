import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyConfig, type ConfigCopy } from './config-copy.js';
import { copyFixtureKeys } from './fixture-keys.js';
import { createTestDatabase } from './postgres.js';

/**
 * A copy of the demo configuration on the given store — SQLite in a fresh data dir, or a fresh PostgreSQL
 * database — with the fixture keys, an HMAC secret file and no delivery worker (the tests that use it read what
 * intake or the start leaves, not what a later claim changes). Everything made is removed through `cleanups`.
 */
export async function configOnStore(
  kind: 'sqlite' | 'postgres',
  cleanups: (() => unknown)[],
  prefix: string,
): Promise<{ config: ConfigCopy; dataDir: string; database: { url: string } | undefined }> {
  const keys = copyFixtureKeys();
  cleanups.push(() => {
    keys.remove();
  });
  const database = kind === 'postgres' ? await createTestDatabase() : undefined;
  if (database) cleanups.push(() => database.drop());
  const config = copyConfig({
    keys: keys.keys,
    delivery: { enabled: false },
    settings: {
      hmacSecret: 'file:test-hmac.secret',
      ...(database ? { store: { kind: 'postgres', url: database.url, poolSize: 4 } } : {}),
    },
  });
  cleanups.push(() => {
    config.remove();
  });
  writeFileSync(join(config.dir, 'test-hmac.secret'), `${prefix}-test-hmac-secret-of-at-least-32-characters`, {
    mode: 0o600,
  });
  const dataDir = mkdtempSync(join(tmpdir(), `amtsbote-${prefix}-`));
  cleanups.push(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { config, dataDir, database };
}
