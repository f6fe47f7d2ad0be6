import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { eventually, startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';

// Serial group: SIGKILL at seeded random moments while submissions and deliveries are under way. A 202 must
// mean durable: every 202'd submission survives and is delivered; nothing answered with an error exists; a
// request cut off by the kill is settled by the portal's retry with the same idempotency key, without a
// second submission; the database file stays intact.
const destinationId = 'chemnitz-gewerbeamt';
const example = loadExamples().find(
  (e) => !e.invalid && e.file.startsWith('chemnitz-') && e.service === 'gewerbeanmeldung',
)!;
const rounds = 6;
const loopBudgetMs = 90_000;

/** A small seeded PRNG (mulberry32): the same kill moments on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Outcome =
  | { key: string; kind: 'accepted'; submissionId: string; messageId: string }
  | { key: string; kind: 'refused'; status: number }
  | { key: string; kind: 'cut' };

let receiver: TestReceiver;
let config: ConfigCopy;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amtsbote-crash-intake-'));
  receiver = await startReceiver();
  config = copyConfig({
    urls: { [destinationId]: `${receiver.url}/gewerbe/eingang` },
    retry: { [destinationId]: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 100 } },
    delivery: { concurrency: 4, pollMs: 50, leaseSeconds: 2 },
    keys: { signing: ownerOnlyKeyFile(dir, 'gateway-signing-1'), escrow: ownerOnlyKeyFile(dir, 'gateway-escrow-1') },
    limits: { portalRequestsPerSecond: 10_000, portalBurst: 10_000 },
  });
  env = { AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: join(dir, 'data') };
});
afterAll(async () => {
  await receiver.close();
  config.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(gateway: GatewayProcess, key: string): Promise<Outcome> {
  try {
    const res = await fetch(gateway.url + '/v1/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer amt24-demo-token', 'idempotency-key': key },
      body: JSON.stringify({ ...example.envelope, reference: key }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json()) as {
      submissionId: string;
      destinations?: { destinationId: string; messageId: string }[];
    };
    if (res.status !== 202) return { key, kind: 'refused', status: res.status };
    const messageId = body.destinations?.find((d) => d.destinationId === destinationId)?.messageId ?? '';
    return { key, kind: 'accepted', submissionId: body.submissionId, messageId };
  } catch {
    // the process died with the request in flight: its fate is unknown until the portal retries
    return { key, kind: 'cut' };
  }
}

describe('SIGKILL during a burst of submissions and deliveries', () => {
  it('loses nothing that was accepted, keeps nothing that was refused, and stays intact', async () => {
    const random = seeded(20261126);
    const outcomes: Outcome[] = [];
    const started = Date.now();
    let kills = 0;
    for (let round = 0; round < rounds && Date.now() - started < loopBudgetMs; round++) {
      const gateway = await spawnGateway(env);
      const stopAt = Date.now() + 200 + random() * 1500;
      const clients = Array.from({ length: 4 }, async (_, client) => {
        for (let i = 0; i < 200 && Date.now() < stopAt + 2000; i++) {
          const outcome = await submit(gateway, `crash-${round}-${client}-${i}`);
          outcomes.push(outcome);
          if (outcome.kind === 'cut') return;
        }
      });
      await new Promise((r) => setTimeout(r, Math.max(0, stopAt - Date.now())));
      await gateway.stop('SIGKILL');
      kills++;
      await Promise.all(clients);
    }

    // a last start delivers what is left; the portal retries what was cut off
    const gateway = await spawnGateway(env);
    try {
      const cut = outcomes.filter((o) => o.kind === 'cut');
      const retried = await Promise.all(cut.map((o) => submit(gateway, o.key)));
      for (const r of retried) expect(r.kind, `retry of ${r.key}`).toBe('accepted');
      const accepted = [...outcomes, ...retried].filter(
        (o): o is Extract<Outcome, { kind: 'accepted' }> => o.kind === 'accepted',
      );
      const refused = outcomes.filter((o) => o.kind === 'refused');
      expect(refused).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(accepted.length).toBeGreaterThan(20);

      const expected = new Set(accepted.map((a) => a.messageId));
      const arrived = () => Promise.resolve(new Set(receiver.received.map((r) => String(r.headers['webhook-id']))));
      await eventually(arrived, (ids) => [...expected].every((id) => ids.has(id)), 60_000);

      const db = new BetterSqlite3(join(dir, 'data', 'amtsbote.sqlite'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        // one submission per idempotency key: the cut-off requests did not create second ones
        const keys = db
          .prepare(
            "select reference, count(*) as n from submissions where reference like 'crash-%' group by reference having n > 1",
          )
          .all();
        expect(keys).toEqual([]);
        const stored = new Set(
          (db.prepare("select id from submissions where reference like 'crash-%'").all() as { id: string }[]).map(
            (r) => r.id,
          ),
        );
        for (const a of accepted) expect(stored.has(a.submissionId), `202'd ${a.submissionId}`).toBe(true);
        expect(stored.size).toBe(new Set(accepted.map((a) => a.submissionId)).size);
        const states = db
          .prepare(
            'select d.state, count(*) as n from deliveries d join submissions s on s.id = d.submission_id where d.destination_id = ? group by d.state',
          )
          .all(destinationId) as { state: string; n: number }[];
        expect(states.filter((s) => s.state !== 'delivered')).toEqual([]);
      } finally {
        db.close();
      }
      console.log(
        `crash-intake: ${kills} kills, ${outcomes.length} requests, ${accepted.length} accepted, ${cut.length} cut off and settled by retry, 0 lost`,
      );
    } finally {
      await gateway.stop();
    }
  });
});
