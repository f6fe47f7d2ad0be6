import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import { gatewayKeysConfigSchema, recipientKeyPolicyConfigSchema } from '../../src/seal/gateway-keys/config-schema.js';
import { createDevelopmentKeys, developmentKeyFiles } from '../../src/seal/gateway-keys/create-development-keys.js';
import { loadGatewayKeys } from '../../src/seal/gateway-keys/load-gateway-keys.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { escrowKeyFor, initialActiveKids, signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { rsaPrivateKeyFromJwk } from '../../src/receiver/lib/rsa-jwk.js';
import { fixtureJwk } from './fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-keys-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes a fixture key into `dir` as JWK or PEM with the given mode. */
function keyFile(dir: string, name: string, form: 'jwk' | 'pem', mode = 0o600): string {
  const jwk = fixtureJwk(name);
  const file = join(dir, `${name}.${form === 'jwk' ? 'json' : 'pem'}`);
  const text =
    form === 'jwk'
      ? JSON.stringify(jwk)
      : (rsaPrivateKeyFromJwk(jwk).export({ format: 'pem', type: 'pkcs8' }) as string);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

describe('gateway keys from files', () => {
  it('loads signing and escrow keys from JWK and PEM files and publishes the public signing keys', async () => {
    const dir = tempDir();
    keyFile(dir, 'gateway-signing-1', 'jwk');
    keyFile(dir, 'gateway-signing-2', 'pem');
    keyFile(dir, 'gateway-escrow-1', 'pem');
    const keys = await loadGatewayKeys({
      config: {
        signing: [{ file: 'gateway-signing-1.json' }, { kid: 'test-gateway-sig-2', file: 'gateway-signing-2.pem' }],
        escrow: [{ kid: 'escrow-2026', file: 'gateway-escrow-1.pem' }],
      },
      configDir: dir,
      dataDir: join(dir, 'data'),
      storeKind: 'postgres',
    });
    expect([...keys.signing.keys()]).toEqual(['test-gateway-sig-1', 'test-gateway-sig-2']);
    expect([...keys.escrow.keys()]).toEqual(['escrow-2026']);
    expect(keys).toMatchObject({ generated: false, source: 'files' });
    expect(initialActiveKids(keys)).toEqual({ signing: 'test-gateway-sig-1', escrow: 'escrow-2026' });
    expect(escrowKeyFor(keys, 'escrow-2026').kid).toBe('escrow-2026');

    const jwks = gatewayJwks(keys);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['test-gateway-sig-1', 'test-gateway-sig-2']);
    for (const k of jwks.keys) expect(Object.keys(k).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwks.keys[0]).toMatchObject({ alg: 'PS512', use: 'sig', kty: 'RSA' });
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(gatewayJwks(keys, ['test-gateway-sig-1']).keys.map((k) => k.kid)).toEqual(['test-gateway-sig-2']);

    // The published key verifies what the imported private key signs (a plain jose consumer).
    const { CompactSign } = await import('jose');
    const jws = await new CompactSign(Buffer.from('x'))
      .setProtectedHeader({ alg: 'PS512', kid: 'test-gateway-sig-2' })
      .sign(signingKeyFor(keys, 'test-gateway-sig-2').privateKey);
    await expect(compactVerify(jws, createLocalJWKSet(jwks))).resolves.toBeDefined();
  });

  it('refuses a key file readable by group or others', async () => {
    const dir = tempDir();
    const file = keyFile(dir, 'gateway-signing-1', 'jwk', 0o644);
    keyFile(dir, 'gateway-escrow-1', 'jwk');
    const error = await loadGatewayKeys({
      config: { signing: [{ file }], escrow: [{ file: 'gateway-escrow-1.json' }] },
      configDir: dir,
      dataDir: dir,
      storeKind: 'sqlite',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmtsboteError);
    expect((error as AmtsboteError).message).toMatch(/readable by group or others \(mode 644\): run "chmod 600/);
  });

  it('refuses keys shorter than 4096 bits, a kid that contradicts the file, an unknown active kid', async () => {
    const dir = tempDir();
    keyFile(dir, 'weak-2048', 'jwk');
    keyFile(dir, 'gateway-signing-1', 'jwk');
    keyFile(dir, 'gateway-escrow-1', 'jwk');
    const load = (signing: { kid?: string; file: string }[]) =>
      loadGatewayKeys({
        config: { signing, escrow: [{ file: 'gateway-escrow-1.json' }] },
        configDir: dir,
        dataDir: dir,
        storeKind: 'sqlite',
      });
    await expect(load([{ file: 'weak-2048.json' }])).rejects.toThrow(/2048 bits, at least 4096/);
    await expect(load([{ kid: 'other', file: 'gateway-signing-1.json' }])).rejects.toThrow(
      /configured kid "other" differs/,
    );
    await expect(load([{ file: 'gateway-signing-1.json' }, { file: 'gateway-signing-1.json' }])).rejects.toThrow(
      /two signing keys/,
    );
    writeFileSync(join(dir, 'garbage.pem'), 'not a key', { mode: 0o600 });
    await expect(load([{ file: 'garbage.pem' }])).rejects.toThrow(/not a private key/);
    const keys = await load([{ file: 'gateway-signing-1.json' }]);
    expect(() => signingKeyFor(keys, 'retired-elsewhere')).toThrow(/not configured on this instance/);
  });
});

describe('the keys section of gateway.yaml', () => {
  it('names key files; the recipient key policy has FIT-Connect defaults', () => {
    const config = gatewayKeysConfigSchema.parse({
      signing: [
        { kid: 'amtsbote-sig-2026', file: '/etc/amtsbote/keys/sig-2026.pem' },
        { file: '/etc/amtsbote/keys/sig-2027.json' },
      ],
      escrow: [{ kid: 'escrow-2026', file: '/etc/amtsbote/keys/escrow-2026.pem' }],
    });
    expect(config.signing).toHaveLength(2);
    expect(() => gatewayKeysConfigSchema.parse({ signing: [], escrow: [] })).toThrow();
    expect(() =>
      gatewayKeysConfigSchema.parse({ signing: [{ file: 'x', kid: 'a b' }], escrow: [{ file: 'y' }] }),
    ).toThrow();
    expect(recipientKeyPolicyConfigSchema.parse({})).toEqual({ minModulusBits: 4096, trustAnchors: [] });
    expect(() => recipientKeyPolicyConfigSchema.parse({ minModulusBits: 1024 })).toThrow();
  });
});

describe('development keys in the data dir', () => {
  it('are refused with PostgreSQL', async () => {
    const dataDir = tempDir();
    await expect(loadGatewayKeys({ configDir: dataDir, dataDir, storeKind: 'postgres' })).rejects.toThrow(
      /every instance needs the same key files/,
    );
    await expect(createDevelopmentKeys(dataDir, 'postgres')).rejects.toBeInstanceOf(AmtsboteError);
  });

  it('are created on the first start (owner-only) and reused on the next', async () => {
    const dataDir = tempDir();
    const first = await loadGatewayKeys({ configDir: dataDir, dataDir, storeKind: 'sqlite' });
    expect(first).toMatchObject({ generated: true, source: 'data-dir' });
    const files = developmentKeyFiles(dataDir);
    expect(statSync(files.dir).mode & 0o777).toBe(0o700);
    expect(statSync(files.signing).mode & 0o777).toBe(0o600);
    expect(statSync(files.escrow).mode & 0o777).toBe(0o600);
    const signingKid = [...first.signing.keys()][0]!;
    expect(signingKid).toMatch(/^dev-sig-/);
    expect(JSON.parse(readFileSync(files.signing, 'utf8'))).toMatchObject({
      kid: signingKid,
      alg: 'PS512',
      use: 'sig',
    });

    const second = await loadGatewayKeys({ configDir: dataDir, dataDir, storeKind: 'sqlite' });
    expect(second.generated).toBe(false);
    expect([...second.signing.keys()]).toEqual([signingKid]);
    expect(gatewayJwks(second)).toEqual(gatewayJwks(first));
    expect([...second.escrow.keys()]).toEqual([...first.escrow.keys()]);
  });
});
