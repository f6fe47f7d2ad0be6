#!/usr/bin/env node
// Produces the data dir of an old release for the upgrade test (test/store/upgrade-from-release.test.ts):
// runs that release's own gateway, sends it submissions through its portal API and keeps what it stored.
//
//   git worktree add --detach /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
//   node scripts/make-upgrade-fixture.mjs /tmp/old test/fixtures/upgrade/<commit>
//
// The output folder holds the data dir in data-dir/ (the SQLite file and keys/hmac.secret) and manifest.json: what the
// old
// release answered (and the bodies it was sent), which the test compares with what the current code reads
// from the upgraded store.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetch } from 'undici';

const [oldRoot, outDir] = process.argv.slice(2).map((p) => resolve(p));
if (!oldRoot || !outDir) throw new Error('usage: make-upgrade-fixture.mjs <old checkout> <output folder>');
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: oldRoot, encoding: 'utf8' }).trim();
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-old-release-'));
const port = 18_000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const child = spawn(process.execPath, [join(oldRoot, 'dist/src/cli.js'), 'serve'], {
  cwd: oldRoot,
  env: {
    ...process.env,
    AMTSBOTE_DATA_DIR: dataDir,
    AMTSBOTE_PORT: String(port),
    AMTSBOTE_CONFIG: join(oldRoot, 'config/gateway.yaml'),
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
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ commit, submissions }, null, 2) + '\n');
  console.log(`wrote ${outDir} from ${commit}`);
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
