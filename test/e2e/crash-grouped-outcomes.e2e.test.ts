import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { projectRoot } from '../helpers/paths.js';
import { testSubmission } from '../helpers/submissions.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const at = '2026-11-25T10:00:00.000Z';
const leaseUntil = '2026-11-25T10:00:30.000Z';
const afterLease = '2026-11-25T10:01:00.000Z';

/**
 * A process on the built store (dist/) that claims every delivery and records all their outcomes at once —
 * groups of 64 (sqlite-group-commit.ts) — and SIGKILLs itself inside the statement that releases the
 * `killAt`-th savepoint: mid-group, after outcomes of that group were written and before its COMMIT. Every
 * outcome whose promise resolved is reported with a synchronous write first, so none is lost with the process.
 */
const child = `
  import { writeSync } from 'node:fs';
  import { createRequire } from 'node:module';
  const [root, file, killAt] = process.argv.slice(1);
  const require = createRequire(root + '/package.json');
  const Database = require('better-sqlite3');
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  const run = statement.run;
  let releases = 0;
  statement.run = function (...args) {
    if (this.source === 'release "outbox"' && ++releases === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    return run.apply(this, args);
  };
  const { openSqliteStore } = await import(root + '/dist/src/store/sqlite.js');
  const store = openSqliteStore(file);
  const claimed = await store.claimDeliveries({
    owner: 'doomed', now: '${at}', leaseUntil: '${leaseUntil}', limit: 1000, excludeDestinations: [],
  });
  writeSync(1, JSON.stringify({ claimed: claimed.map((c) => c.id) }) + '\\n');
  await Promise.all(claimed.map((c) => store.recordAttempt({
    id: c.id, fence: c.fence, now: '${at}',
    attempt: { worker: 'doomed', startedAt: '${at}', durationMs: 2, outcome: 'delivered', httpStatus: 204 },
    transition: { state: 'delivered', attempts: 1, nextAttemptAt: null },
  }).then((recorded) => writeSync(1, JSON.stringify({ recorded, id: c.id }) + '\\n'))));
  writeSync(1, JSON.stringify({ finished: true }) + '\\n');
`;

/** Runs the child to its end (a kill) within 60 s and gives its lines and how it ended. */
function runChild(
  file: string,
  killAt: number,
): Promise<{ lines: Array<Record<string, unknown>>; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child, projectRoot, file, String(killAt)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const bound = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the child did not end within 60 s; its output: ${out}`));
    }, 60_000);
    proc.on('close', (_code, signal) => {
      clearTimeout(bound);
      const lines = out
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, signal });
    });
  });
}

async function seededStore(count: number): Promise<{ file: string; ids: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-crash-outcomes-'));
  dirs.push(dir);
  const file = join(dir, 'amtsbote.sqlite');
  const store = openSqliteStore(file);
  await store.migrate();
  const ids = Array.from({ length: count }, (_, i) => `m${String(i).padStart(3, '0')}`);
  await Promise.all(
    ids.map((id) =>
      store.acceptSubmission({
        submission: testSubmission(`s-${id}`, { attachments: [], receivedAt: at }),
        deliveries: [{ id, destinationId: 'chemnitz-gewerbeamt', state: 'pending' }],
        messages: [{ deliveryId: id, contentType: 'application/json', body: `{"sealed":"${id}"}` }],
        event: { at, type: 'received', data: { status: 'pending' } },
      }),
    ),
  );
  await store.close();
  return { file, ids };
}

describe('a crash while a group of delivery outcomes is written (SQLite)', () => {
  it.each([
    { killAt: 10, recordedBefore: 0, note: 'in the first group' },
    { killAt: 70, recordedBefore: 64, note: 'in the second group, after the first committed' },
  ])(
    'leaves each delivery either recorded in full or claimable again: kill $note',
    async ({ killAt, recordedBefore }) => {
      const { file, ids } = await seededStore(100);
      const { lines, signal } = await runChild(file, killAt);
      expect(signal).toBe('SIGKILL');
      expect(lines[0]).toEqual({ claimed: ids });
      const acknowledged = lines.filter((l) => l.recorded === true).map((l) => String(l.id));
      expect(acknowledged).toHaveLength(recordedBefore);
      expect(lines.some((l) => l.finished)).toBe(false);

      const store = openSqliteStore(file);
      stores.push(store);
      const recorded: string[] = [];
      for (const id of ids) {
        const submission = await store.getSubmission(`s-${id}`);
        const attempts = await store.listAttempts(id);
        const events = await store.listEvents(`s-${id}`);
        expect(verifyChain(`s-${id}`, events)).toEqual({ ok: true });
        const delivery = submission?.deliveries.find((d) => d.id === id);
        if (delivery?.state === 'delivered') {
          // recorded in full: its attempt, its event, the submission's status
          recorded.push(id);
          expect(attempts.map((a) => a.worker)).toEqual(['doomed']);
          expect(events.map((e) => e.type)).toEqual(['received', 'delivery']);
          expect(submission?.status).toBe('delivered');
        } else {
          // not at all: still pending, no attempt, no event
          expect(delivery?.state).toBe('pending');
          expect(attempts).toEqual([]);
          expect(events.map((e) => e.type)).toEqual(['received']);
          expect(submission?.status).toBe('pending');
        }
      }
      // what the dead process acknowledged is durable, and nothing of the group the kill interrupted is
      expect(recorded).toEqual(acknowledged.sort());
      // once the dead process's lease is over, the rest is claimed again (the same message ids, a new fence)
      const again = await store.claimDeliveries({
        owner: 'next',
        now: afterLease,
        leaseUntil: '2026-11-25T10:02:00.000Z',
        limit: 1000,
        excludeDestinations: [],
      });
      expect(again.map((c) => c.id).sort()).toEqual(ids.filter((id) => !recorded.includes(id)));
      expect(again.every((c) => c.fence === 2)).toBe(true);
    },
  );
});
