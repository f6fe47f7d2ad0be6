import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHmacSecret } from '../../src/config/gateway-secret.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

process.env.TEST_HMAC = 'a-configured-hmac-secret-of-forty-characters';

describe('the HMAC secret', () => {
  it('is created in the data dir for development on SQLite and reused', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    const first = loadHmacSecret(undefined, dataDir, dataDir, 'sqlite');
    expect(first.generated).toBe(true);
    expect(loadHmacSecret(undefined, dataDir, dataDir, 'sqlite')).toEqual({ secret: first.secret, generated: false });
  });

  it("means the same bytes when the data dir's file is named as hmacSecret: file:, also a file an earlier release wrote", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'keys'));
    const bytes = Buffer.alloc(32, 9);
    writeFileSync(join(dataDir, 'keys', 'hmac.secret'), bytes.toString('base64url') + '\n', { mode: 0o600 });
    expect(loadHmacSecret(undefined, dataDir, dataDir, 'sqlite').secret).toEqual(bytes);
    expect(readFileSync(join(dataDir, 'keys', 'hmac.secret'), 'utf8')).toBe(
      `base64url:${bytes.toString('base64url')}\n`,
    );
    expect(loadHmacSecret('file:keys/hmac.secret', dataDir, dataDir, 'postgres').secret).toEqual(bytes);
  });

  it("is the text's bytes when it carries no base64url: prefix", () => {
    expect(loadHmacSecret('env:TEST_HMAC', '/', '/', 'postgres').secret.toString('utf8')).toBe(process.env.TEST_HMAC);
  });

  it('must be configured with PostgreSQL, where every instance needs the same one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    expect(() => loadHmacSecret(undefined, dataDir, dataDir, 'postgres')).toThrow(
      /every instance needs the same secret — set hmacSecret/,
    );
  });

  it('is refused when shorter than 32 characters or when its environment variable is not set, as a configuration error', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-hmac-'));
    dirs.push(dataDir);
    process.env.AMTSBOTE_TEST_SHORT_SECRET = 'too short';
    try {
      expect(() => loadHmacSecret('env:AMTSBOTE_TEST_SHORT_SECRET', dataDir, dataDir)).toThrow(
        expect.objectContaining({
          code: 'invalid-config',
          message: expect.stringMatching(
            /^hmacSecret \(env:AMTSBOTE_TEST_SHORT_SECRET\): the HMAC secret must be at least 32 bytes/,
          ),
        }),
      );
    } finally {
      delete process.env.AMTSBOTE_TEST_SHORT_SECRET;
    }
    expect(() => loadHmacSecret('env:AMTSBOTE_TEST_UNSET_SECRET', dataDir, dataDir)).toThrow(
      expect.objectContaining({
        code: 'invalid-config',
        message: 'environment variable AMTSBOTE_TEST_UNSET_SECRET is not set',
      }),
    );
  });
});
