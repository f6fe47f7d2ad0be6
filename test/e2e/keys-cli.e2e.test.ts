import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadGatewayKeys } from '../../src/seal/index.js';
import { loadExamples } from '../helpers/examples.js';
import { postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCli, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue, processBoundMs } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-keys-'));
const configDir = join(dir, 'config');
const env = { AMTSBOTE_CONFIG: join(configDir, 'gateway.yaml'), AMTSBOTE_DATA_DIR: join(dir, 'data') };
let gateway: GatewayProcess;

beforeAll(async () => {
  cpSync(join(projectRoot, 'config'), configDir, { recursive: true });
  mkdirSync(join(configDir, 'keys'));
  for (const name of ['gateway-signing-1', 'gateway-signing-2', 'gateway-escrow-1']) {
    const target = join(configDir, 'keys', `${name}.json`);
    copyFileSync(join(projectRoot, 'test/fixtures/keys', `${name}.private-jwk.DEVELOPMENT-ONLY.json`), target);
    chmodSync(target, 0o600);
  }
  const gatewayYaml = join(configDir, 'gateway.yaml');
  writeFileSync(
    gatewayYaml,
    readFileSync(gatewayYaml, 'utf8')
      .replace(
        'dataDir: ../data',
        `dataDir: ${join(dir, 'data')}\nmappings: ${join(projectRoot, 'mappings')}\nxsd: ${join(projectRoot, 'xsd')}`,
      )
      .replace('routingPollSeconds: 2', 'routingPollSeconds: 0.3') +
      '\nkeys:\n  signing:\n    - { file: keys/gateway-signing-1.json }\n    - { file: keys/gateway-signing-2.json }\n  escrow:\n    - { file: keys/gateway-escrow-1.json }\n',
  );
  gateway = await spawnGateway(env);
});
// (gateway is missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dresden = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const recipientKey = JSON.parse(
  readFileSync(
    join(projectRoot, 'config/demo/dresden-gewerbeamt.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
    'utf8',
  ),
) as Record<string, unknown>;

async function jwksKids(): Promise<string[]> {
  const jwks = (await (await testFetch(gateway.url + '/.well-known/jwks.json')).json()) as {
    keys: { kid: string; alg: string; use: string; d?: string }[];
  };
  for (const key of jwks.keys) expect(key).toMatchObject({ alg: 'PS512', use: 'sig' });
  expect(jwks.keys.some((k) => k.d !== undefined)).toBe(false);
  return jwks.keys.map((k) => k.kid).sort();
}

/** Submits, exports the Dresden message with `store show-message`, opens it: which key signed it. */
async function signedWith(): Promise<string> {
  const res = await postJson(gateway.url, '/v1/submissions', { ...dresden.envelope, reference: `KEY-${Date.now()}` });
  expect(res.status).toBe(202);
  const messageId = (res.body.destinations as { destinationId: string; messageId: string }[]).find(
    (d) => d.destinationId === 'dresden-gewerbeamt',
  )!.messageId;
  const file = join(dir, `${messageId}.json`);
  expect(runCli(['store', 'show-message', messageId, '--out', file], env).status).toBe(0);
  const jwks = (await (await testFetch(gateway.url + '/.well-known/jwks.json')).json()) as {
    keys: Record<string, unknown>[];
  };
  return (await openSealedMessage(readFileSync(file, 'utf8'), { recipientKeys: [recipientKey], gatewayJwks: jwks }))
    .signingKid;
}

/** Every instance polls the key state in the store: probes until `done` holds, bounded generously. */
const until = <T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> =>
  pollValue(probe, done, undefined, 250);

describe('gateway keys from files, state in the store', () => {
  it('publishes every configured signing key and signs with the active one', async () => {
    expect(await jwksKids()).toEqual(['test-gateway-sig-1', 'test-gateway-sig-2']);
    expect(await signedWith()).toBe('test-gateway-sig-1');
    const listed = runCli(['keys', 'list'], env);
    expect(listed.stdout).toMatch(/signing\s+active\s+test-gateway-sig-1 {2}\(\d+ open messages signed with it\)/);
  });

  it(
    'rotates: every instance signs with the new key within seconds, the old one stays published',
    async () => {
      const rotated = runCli(['keys', 'rotate', 'test-gateway-sig-2'], env);
      expect(rotated.status, rotated.stderr).toBe(0);
      expect(await until(signedWith, (kid) => kid === 'test-gateway-sig-2')).toBe('test-gateway-sig-2');
      expect(await jwksKids()).toEqual(['test-gateway-sig-1', 'test-gateway-sig-2']);
      expect(runCli(['keys', 'rotate', 'not-a-key'], env).status).toBe(1);
    },
    3 * processBoundMs,
  ); // two CLI runs and a wait, each bounded on its own

  it(
    'refuses to retire the active key, or one that open messages need unless forced, and says how many',
    async () => {
      const active = runCli(['keys', 'retire', 'test-gateway-sig-2'], env);
      expect(active.status).toBe(1);
      expect(active.stderr).toContain('active');
      const needed = runCli(['keys', 'retire', 'test-gateway-sig-1'], env);
      expect(needed.status).toBe(1);
      expect(needed.stderr).toMatch(/\d+ undelivered or unacknowledged messages were signed with test-gateway-sig-1/);
      const forced = runCli(['keys', 'retire', 'test-gateway-sig-1', '--force'], env);
      expect(forced.status, forced.stderr).toBe(0);
      expect(await until(jwksKids, (kids) => !kids.includes('test-gateway-sig-1'))).toEqual(['test-gateway-sig-2']);
    },
    4 * processBoundMs,
  ); // three CLI runs and a wait, each bounded on its own
});

describe('keys new', () => {
  it(
    'writes a new key pair as an owner-only private JWK that gateway.yaml can name, and never overwrites a file',
    async () => {
      const signingFile = join(dir, 'new-signing.json');
      const escrowFile = join(dir, 'new-escrow.json');
      const made = runCli(['keys', 'new', signingFile, '--purpose', 'signing', '--kid-prefix', 'dresden'], env);
      expect(made.status, made.stderr).toBe(0);
      const kid = /^(dresden-sig-[\w-]{12}) written/.exec(made.stdout)?.[1];
      expect(kid).toBeDefined();
      expect(made.stdout).toContain(`- { kid: ${kid!}, file: ${signingFile} }`);
      expect(runCli(['keys', 'new', escrowFile, '--purpose', 'escrow'], env).status).toBe(0);
      expect(statSync(signingFile).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(signingFile, 'utf8'))).toMatchObject({
        kty: 'RSA',
        kid,
        alg: 'PS512',
        use: 'sig',
      });

      const keys = await loadGatewayKeys({
        config: { signing: [{ file: signingFile }], escrow: [{ file: escrowFile }] },
        configDir: dir,
        dataDir: dir,
        storeKind: 'postgres',
      });
      expect([...keys.signing.keys()]).toEqual([kid]);
      expect([...keys.escrow.keys()][0]).toMatch(/^amtsbote-escrow-/);

      const again = runCli(['keys', 'new', signingFile, '--purpose', 'signing'], env);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('exists already');
      expect((JSON.parse(readFileSync(signingFile, 'utf8')) as { kid: string }).kid).toBe(kid);
      expect(runCli(['keys', 'new', join(dir, 'x.json'), '--purpose', 'signature'], env).status).toBe(1);
    },
    5 * processBoundMs,
  ); // five CLI runs (two make RSA-4096 keys), each bounded on its own
});
