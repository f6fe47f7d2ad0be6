import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHmacSecret } from '../../src/config/gateway-secret.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the HMAC secret', () => {
  it('is created in the data dir for development on SQLite and reused', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    const first = loadHmacSecret(undefined, dataDir, dataDir, 'sqlite');
    expect(first.generated).toBe(true);
    expect(loadHmacSecret(undefined, dataDir, dataDir, 'sqlite')).toEqual({ secret: first.secret, generated: false });
  });

  it('must be configured with PostgreSQL, where every instance needs the same one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    expect(() => loadHmacSecret(undefined, dataDir, dataDir, 'postgres')).toThrow(/every instance needs the same secret — set hmacSecret/);
  });
});
