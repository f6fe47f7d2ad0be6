import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { AmtsboteError } from '../../src/lib/errors.js';
import { projectRoot } from '../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the demo config dir that a test may break. */
function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-config-'));
  dirs.push(dir);
  cpSync(join(projectRoot, 'config'), dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file} applies`).not.toBe(text);
  writeFileSync(file, next);
}

function loadError(dir: string, env: NodeJS.ProcessEnv = {}): AmtsboteError {
  try {
    loadConfig({ configFile: join(dir, 'gateway.yaml'), env });
  } catch (e) {
    expect(e).toBeInstanceOf(AmtsboteError);
    return e as AmtsboteError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('loads the demo configuration: three municipalities, three services', () => {
    const config = loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} });
    expect([...config.regions.keys()].sort()).toEqual(['145110000000', '146120000000', '147130000000']);
    expect(config.services.size).toBeGreaterThanOrEqual(3);
    expect(config.services.get('99050012104000')?.definition.name).toBe('Gewerbeanmeldung');
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(config.gateway.listen).toEqual({
      host: '127.0.0.1',
      port: 8080,
      trustProxy: [],
      maxConnections: 512,
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 120,
      keepAliveTimeoutSeconds: 65,
    });
  });

  it('takes AMTSBOTE_PORT and AMTSBOTE_DATA_DIR from the environment', () => {
    const config = loadConfig({
      configFile: join(projectRoot, 'config/gateway.yaml'),
      env: { AMTSBOTE_PORT: '9099', AMTSBOTE_DATA_DIR: '/tmp/x-data' },
    });
    expect(config.gateway.listen.port).toBe(9099);
    expect(config.dataDir).toBe('/tmp/x-data');
    expect(() =>
      loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: { AMTSBOTE_PORT: 'eighty' } }),
    ).toThrow(/AMTSBOTE_PORT/);
  });

  it('finds gateway.yaml through AMTSBOTE_CONFIG', () => {
    const dir = configCopy();
    edit(join(dir, 'gateway.yaml'), 'port: 8080', 'port: 8181');
    expect(loadConfig({ env: { AMTSBOTE_CONFIG: join(dir, 'gateway.yaml') } }).gateway.listen.port).toBe(8181);
  });

  it('names file, path and problem for an invalid gateway.yaml', () => {
    const dir = configCopy();
    edit(join(dir, 'gateway.yaml'), 'port: 8080', 'port: "eighty"');
    const error = loadError(dir);
    expect(error.message).toContain(join(dir, 'gateway.yaml'));
    expect(error.errors[0]?.pointer).toBe('/listen/port');
  });

  it('refuses an inlined secret in routing and names the path', () => {
    const dir = configCopy();
    edit(join(dir, 'routing.yaml'), /webhookSecret: file:\S+/, 'webhookSecret: whsec_plaintextsecret');
    const error = loadError(dir);
    expect(error.message).toContain('routing.yaml');
    expect(error.errors[0]?.pointer).toMatch(/^\/destinations\/\d+\/adapter\/webhookSecret$/);
  });

  it('refuses a rule naming an unknown destination, and a private key as recipient key', () => {
    const dir = configCopy();
    edit(join(dir, 'routing.yaml'), 'destinations: [leipzig-gewerbeamt]', 'destinations: [leipzig-nowhere]');
    expect(loadError(dir).message).toMatch(/unknown destination "leipzig-nowhere"/);
    const dir2 = configCopy();
    edit(join(dir2, 'routing.yaml'), 'jwk: { kty: RSA,', 'jwk: { kty: RSA, d: secret,');
    expect(loadError(dir2).message).toMatch(/must be a public key/);
  });

  it('names the service file for a broken service definition or schema', () => {
    const dir = configCopy();
    edit(join(dir, 'services/gewerbeanmeldung.yaml'), /^key: .*$/m, 'key: "12345"');
    const error = loadError(dir);
    expect(error.message).toContain('gewerbeanmeldung.yaml');
    expect(error.errors[0]?.pointer).toBe('/key');
    const dir2 = configCopy();
    writeFileSync(join(dir2, 'services/gewerbeanmeldung.schema.json'), '{ not json');
    expect(loadError(dir2).message).toContain('gewerbeanmeldung.schema.json');
  });

  it("takes the purposes a service admits for attachments, and refuses one outside FIT-Connect's words with file and path", () => {
    const dir = configCopy();
    edit(
      join(dir, 'services/gewerbeanmeldung.yaml'),
      /^attachments:\n/m,
      'attachments:\n  purposes: [form, attachment]\n',
    );
    const config = loadConfig({ configFile: join(dir, 'gateway.yaml'), env: {} });
    expect(config.services.get('99050012104000')?.definition.attachments.purposes).toEqual(['form', 'attachment']);
    edit(join(dir, 'services/gewerbeanmeldung.yaml'), 'purposes: [form, attachment]', 'purposes: [form, data]');
    const error = loadError(dir);
    expect(error.message).toContain('gewerbeanmeldung.yaml');
    expect(error.errors[0]?.pointer).toBe('/attachments/purposes/1');
  });

  it('says which file is not YAML', () => {
    const dir = configCopy();
    writeFileSync(join(dir, 'routing.yaml'), 'destinations: [\n  - broken');
    expect(loadError(dir).message).toMatch(/routing\.yaml: \/: is not valid YAML/);
  });

  it('selects PostgreSQL by a referenced URL or AMTSBOTE_DATABASE_URL, and refuses a password written into gateway.yaml', () => {
    const dir = configCopy();
    const file = join(dir, 'gateway.yaml');
    expect(
      loadConfig({ configFile: file, env: { AMTSBOTE_DATABASE_URL: 'postgres://gw@db/amtsbote' } }).gateway.store,
    ).toEqual({
      kind: 'postgres',
      url: 'env:AMTSBOTE_DATABASE_URL',
      poolSize: 10,
    });
    edit(
      file,
      /store:\n {2}kind: sqlite\n {2}file: amtsbote.sqlite/,
      'store:\n  kind: postgres\n  url: file:/etc/amtsbote/database-url\n  poolSize: 4',
    );
    expect(loadConfig({ configFile: file, env: {} }).gateway.store).toEqual({
      kind: 'postgres',
      url: 'file:/etc/amtsbote/database-url',
      poolSize: 4,
    });
    edit(file, 'url: file:/etc/amtsbote/database-url', 'url: postgres://gw:geheim@db/amtsbote');
    const error = loadError(dir);
    expect(JSON.stringify(error.errors)).toContain('a URL with a password is a secret');
    expect(JSON.stringify(error.errors)).not.toContain('geheim');
  });
});
