import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyConfig } from '../helpers/config-copy.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('amtsbote config check', () => {
  it('accepts the demo configuration', () => {
    const result = runCli(['config', 'check']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('configuration ok');
  });

  it('exits non-zero naming the file, the path and the problem', () => {
    cpSync(join(projectRoot, 'config'), dir, { recursive: true });
    const routing = join(dir, 'routing.yaml');
    writeFileSync(routing, readFileSync(routing, 'utf8').replace('kind: file', 'kind: carrier-pigeon'));
    const result = runCli(['config', 'check', join(dir, 'gateway.yaml')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(routing);
    expect(result.stderr).toMatch(/\/destinations\/1\/adapter\/kind/);
  });

  it('exits non-zero naming each secret that cannot be read, by file and setting', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'amtsbote-secrets-'));
    try {
      cpSync(join(projectRoot, 'config'), secrets, { recursive: true });
      rmSync(join(secrets, 'demo/amt24-callback.secret.DEVELOPMENT-ONLY'));
      const result = runCli(['config', 'check', join(secrets, 'gateway.yaml')]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `${join(secrets, 'gateway.yaml')}: /portals/0/callback/secret: ${join(secrets, 'demo/amt24-callback.secret.DEVELOPMENT-ONLY')} does not exist`,
      );
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });

  it('refuses to serve an empty store with an invalid routing.yaml', () => {
    const copy = copyConfig();
    try {
      const routing = join(copy.dir, 'routing.yaml');
      writeFileSync(routing, readFileSync(routing, 'utf8').replace('kind: file', 'kind: carrier-pigeon'));
      const result = runCli(['serve'], { AMTSBOTE_CONFIG: copy.configFile, AMTSBOTE_DATA_DIR: join(dir, 'data') });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(routing);
      expect(result.stderr).toMatch(/\/destinations\/1\/adapter\/kind/);
    } finally {
      copy.remove();
    }
  });
});

describe('amtsbote store purge', () => {
  it('counts in a dry run and deletes nothing; a real run audits what it deleted', () => {
    const env = { AMTSBOTE_DATA_DIR: join(dir, 'purge-data') };
    const dry = runCli(['store', 'purge', '--dry-run'], env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would delete (dry run, nothing deleted):');
    expect(dry.stdout).toMatch(/sealedMessages\s+0/);
    const real = runCli(['store', 'purge'], env);
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^deleted:/m);
    expect(real.stdout).toMatch(/auditRecords\s+0/);
  });
});
