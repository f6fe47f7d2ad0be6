import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configOnStore } from '../helpers/config-on-store.js';
import { startTestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { examplesDir } from '../helpers/paths.js';
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
  // no worker: only the intake's statements are counted (the worker's would not be attributed anyway)
  const { config, dataDir } = await configOnStore(kind, cleanups, 'statements');
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

/** A statement by its verb and table: `insert into "events"`, `select from "idempotency_keys"`, `begin`. */
function shape(sql: string): string {
  const select = /^select .*? from ("\w+")/.exec(sql);
  if (select) return `select from ${select[1]}`;
  return /^(begin|commit|rollback|insert into "\w+"|with "\w+" as \(insert into "\w+")/.exec(sql)?.[1] ?? sql;
}

/** What a tally shows, by kind of statement (the SQL's first words keep a failure readable). */
function sorted(tally: StatementTally) {
  const is = (pattern: RegExp) => tally.statements.filter((st) => pattern.test(st.sql));
  return {
    // the portal directory is read at most once every two seconds (http/portal-auth.ts), not per submission
    portalReads: is(/from "portals"/).length,
    rateTokens: is(/"rate_buckets"/).length,
    other: tally.statements
      .filter((st) => !/from "portals"|"rate_buckets"/.test(st.sql))
      .map((st) => `${st.database}: ${shape(st.sql)}`),
    durableCommits: tally.durableCommits,
  };
}

const sqliteWrites = [
  'file: begin',
  'file: insert into "submissions"',
  'file: insert into "deliveries"',
  'file: insert into "escrow_copies"',
  'file: insert into "sealed_messages"',
  'file: insert into "events"',
  'file: commit',
];

describe('statements per accepted submission', () => {
  it('on SQLite: one transaction of one insert per table, rate tokens in memory without a statement', async () => {
    const gw = await startOn('sqlite');
    await submit(gw.url, 1, false); // warm: the portal directory, routing and keys are read once
    for (const tally of await submit(gw.url, 3, false))
      expect(sorted(tally)).toEqual({
        portalReads: expect.any(Number) as unknown,
        rateTokens: 0,
        other: sqliteWrites,
        durableCommits: 1,
      });
    for (const tally of await submit(gw.url, 2, true))
      expect(sorted(tally)).toEqual({
        portalReads: expect.any(Number) as unknown,
        rateTokens: 0,
        other: [
          'file: select from "idempotency_keys"',
          'file: begin',
          'file: insert into "idempotency_keys"',
          ...sqliteWrites.slice(1),
        ],
        durableCommits: 1,
      });
  }, 120_000);

  it('on PostgreSQL: one statement with its notice, a rate token upsert at most', async () => {
    const gw = await startOn('postgres');
    await submit(gw.url, 1, false);
    const write = 'postgres: with "s" as (insert into "submissions"';
    for (const tally of await submit(gw.url, 3, false)) {
      const { rateTokens, ...rest } = sorted(tally);
      expect(rest).toEqual({
        portalReads: expect.any(Number) as unknown,
        other: [write],
        durableCommits: 1 + rateTokens,
      });
      expect(rateTokens).toBeLessThanOrEqual(1);
      expect(tally.statements.find((st) => st.sql.startsWith('with'))?.sql).toContain('pg_notify');
    }
    for (const tally of await submit(gw.url, 2, true)) {
      const { rateTokens, ...rest } = sorted(tally);
      expect(rest).toEqual({
        portalReads: expect.any(Number) as unknown,
        other: [
          'postgres: select from "idempotency_keys"',
          'postgres: begin',
          'postgres: insert into "idempotency_keys"',
          write,
          'postgres: commit',
        ],
        durableCommits: 1 + rateTokens,
      });
      expect(rateTokens).toBeLessThanOrEqual(1);
    }
  }, 120_000);
});
