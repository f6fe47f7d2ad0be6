#!/usr/bin/env node
// Produces the data dir of an old release for the upgrade test (test/gateway/upgrade-from-release.test.ts,
// test/gateway/upgrade-postgres-from-release.test.ts):
// runs that release's own gateway, sends it submissions through its portal API and keeps what it stored.
//
//   git worktree add --detach /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
//   node scripts/make-upgrade-fixture.mjs /tmp/old test/fixtures/upgrade/<commit>
//   node scripts/make-upgrade-fixture.mjs --postgres postgres://postgres@127.0.0.1:5432 /tmp/old test/fixtures/upgrade/<commit>-postgres
//
// The output folder holds the data dir in data-dir/ (the SQLite file and keys/hmac.secret) and manifest.json: what the
// old release answered (and the bodies it was sent), which the test compares with what the current code reads
// from the upgraded store.
//
// With --postgres the old release runs on a scratch database of that server (created and dropped here), which is
// kept as a plain SQL dump (amtsbote.sql, `pg_dump --no-owner`). Releases refuse PostgreSQL without `keys:`, so it
// runs with the development gateway keys of test/fixtures/keys, copied into the output's keys/ (development only,
// named so); data-dir/ then holds only the HMAC secret those releases still created in the data dir.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { fetch } from 'undici';

const args = process.argv.slice(2);
const postgresFlag = args.indexOf('--postgres');
const postgresServer = postgresFlag >= 0 ? args.splice(postgresFlag, 2)[1] : undefined;
const [oldRoot, outDir] = args.map((p) => resolve(p));
if (!oldRoot || !outDir)
  throw new Error('usage: make-upgrade-fixture.mjs [--postgres <server url>] <old checkout> <output folder>');
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: oldRoot, encoding: 'utf8' }).trim();
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-old-release-'));
const port = 18_000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureKeys = { signing: 'gateway-signing-1', escrow: 'gateway-escrow-1' };
const keyFileName = (name) => `${name}.private-jwk.DEVELOPMENT-ONLY.json`;
const keysDir = mkdtempSync(join(tmpdir(), 'amtsbote-old-release-keys-'));
const databaseName = `amtsbote_fixture_${randomBytes(6).toString('hex')}`;

async function onServer(sql) {
  const client = new pg.Client({ connectionString: `${postgresServer}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The old config with `keys:` (owner-only copies of the fixture keys) and delivery off, written beside the old
 * config so that its relative paths still hold.
 */
function postgresConfig() {
  const keyFiles = Object.fromEntries(
    Object.entries(fixtureKeys).map(([use, name]) => {
      const file = join(keysDir, keyFileName(name));
      copyFileSync(join(projectRoot, 'test/fixtures/keys', keyFileName(name)), file);
      chmodSync(file, 0o600);
      return [use, [{ file }]];
    }),
  );
  const gateway = parseDocument(readFileSync(join(oldRoot, 'config/gateway.yaml'), 'utf8'));
  gateway.set('keys', keyFiles);
  // every delivery stays pending, so that the upgrade test sees pending deliveries the old release sealed
  gateway.setIn(['delivery', 'enabled'], false);
  const file = join(oldRoot, 'config/gateway.upgrade-fixture.yaml');
  writeFileSync(file, String(gateway));
  return file;
}

if (postgresServer) await onServer(`CREATE DATABASE ${databaseName}`);
const child = spawn(process.execPath, [join(oldRoot, 'dist/src/cli.js'), 'serve'], {
  cwd: oldRoot,
  env: {
    ...process.env,
    AMTSBOTE_DATA_DIR: dataDir,
    AMTSBOTE_PORT: String(port),
    AMTSBOTE_CONFIG: postgresServer ? postgresConfig() : join(oldRoot, 'config/gateway.yaml'),
    ...(postgresServer ? { AMTSBOTE_DATABASE_URL: `${postgresServer}/${databaseName}` } : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function waitForHealth() {
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < 300 && Date.now() < deadline; i++) {
    try {
      const res = await fetch(`${base}/v1/submissions/none`, { headers: { authorization: 'Bearer amt24-demo-token' } });
      if (res.status === 404) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the old gateway did not answer within 30 s');
}

const sent = [
  {
    token: 'amt24-demo-token',
    portal: 'amt24',
    example: 'gewerbeanmeldung/dresden-einzelunternehmen.json',
    idempotencyKey: 'upgrade-1',
  },
  {
    token: 'amt24-demo-token',
    portal: 'amt24',
    example: 'gewerbeabmeldung/chemnitz-uebergabe.json',
    idempotencyKey: 'upgrade-2',
  },
  {
    token: 'leipzig-portal-demo-token',
    portal: 'leipzig-portal',
    example: 'gewerbeanmeldung/leipzig-gmbh.json',
    idempotencyKey: 'upgrade-3',
  },
];

try {
  await waitForHealth();
  const submissions = [];
  for (const s of sent) {
    const body = readFileSync(join(oldRoot, 'examples', s.example), 'utf8');
    const res = await fetch(`${base}/v1/submissions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${s.token}`,
        'content-type': 'application/json',
        'idempotency-key': s.idempotencyKey,
      },
      body,
    });
    const answer = await res.json();
    if (res.status !== 202) throw new Error(`${s.example}: ${res.status} ${JSON.stringify(answer)}`);
    const status = await (
      await fetch(`${base}/v1/submissions/${answer.submissionId}`, { headers: { authorization: `Bearer ${s.token}` } })
    ).json();
    submissions.push({ ...s, body: JSON.parse(body), submissionId: answer.submissionId, accepted: answer, status });
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  cpSync(dataDir, join(outDir, 'data-dir'), { recursive: true });
  if (postgresServer) {
    const dump = execFileSync('pg_dump', ['--no-owner', '--dbname', `${postgresServer}/${databaseName}`], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    writeFileSync(join(outDir, 'amtsbote.sql'), dump);
    mkdirSync(join(outDir, 'keys'));
    for (const name of Object.values(fixtureKeys))
      copyFileSync(join(keysDir, keyFileName(name)), join(outDir, 'keys', keyFileName(name)));
  }
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ commit, submissions }, null, 2) + '\n');
  console.log(`wrote ${outDir} from ${commit}`);
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(keysDir, { recursive: true, force: true });
  if (postgresServer) await onServer(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
}
