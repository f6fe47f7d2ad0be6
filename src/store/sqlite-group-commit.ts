import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** One write of a group: its statements, run inside the group's transaction (in a savepoint of its own). */
export type GroupedWrite<Result> = (trx: Transaction<Database>) => Promise<Result>;

export interface GroupCommit {
  /** Queues `write` for the next group; resolves with its result once the group's COMMIT is durable. */
  run: <Result>(write: GroupedWrite<Result>) => Promise<Result>;
  /** Resolves once every write queued so far has settled (before the store closes its connection). */
  drain: () => Promise<void>;
}

interface Waiting {
  write: GroupedWrite<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; result: unknown } | { ok: false; error: unknown };

/**
 * Group commit on SQLite for the delivery worker's writes (its claims and outcomes, sqlite.ts): with
 * synchronous=FULL every COMMIT is an fsync on the main thread, and one per outcome bounded the outbox at about
 * a thousand deliveries a second (bench/delivery.bench.mjs profile: half of the delivering process's time).
 * The writes that arrive within one event-loop turn share one transaction, each inside a savepoint of its
 * own, so one write's failure rolls back only its rows and rejects only its caller; every caller's promise
 * settles after the COMMIT, and a failed COMMIT rejects every caller of the group. The savepoints run one
 * after another on SQLite's one connection, so a later write of a group sees an earlier one's rows, exactly
 * as with one transaction each. While a group is written, newcomers queue and form the next group; `maxBatch`
 * bounds one transaction. Accepts (sqlite-grouped-accept.ts) are grouped the same way, in a group of their own.
 */
export function groupCommits(db: Kysely<Database>, options: { savepoint: string; maxBatch?: number }): GroupCommit {
  const maxBatch = options.maxBatch ?? 64;
  const queue: Waiting[] = [];
  let scheduled = false;
  let flushing: Promise<void> | undefined;

  const schedule = (): void => {
    if (scheduled || flushing || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushing = commitGroup(db, options.savepoint, queue.splice(0, maxBatch)).finally(() => {
        flushing = undefined;
        schedule();
      });
    });
  };

  return {
    run: <Result>(write: GroupedWrite<Result>) =>
      new Promise<Result>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (result: unknown) => void, reject });
        schedule();
      }),
    async drain() {
      // Each pass settles at least one group; the queue only grows by new writes.
      while (flushing ?? (scheduled || queue.length > 0)) {
        await (flushing ?? new Promise<void>((resolve) => setImmediate(resolve)));
      }
    },
  };
}

/** Writes `group` in one transaction and settles every caller; never rejects itself. */
async function commitGroup(db: Kysely<Database>, savepoint: string, group: Waiting[]): Promise<void> {
  let trx: ControlledTransaction<Database>;
  try {
    trx = await db.startTransaction().execute();
  } catch (error) {
    for (const waiting of group) waiting.reject(error);
    return;
  }
  let settled: Settled[];
  try {
    settled = await writeEach(trx, savepoint, group);
    await trx.commit().execute();
  } catch (error) {
    // A failed savepoint statement, COMMIT, or the write of one alone in its group: nothing of the group is
    // durable, so no caller may see success. If SQLite already rolled back (after an I/O error, say), the
    // ROLLBACK fails too; kysely frees the connection either way.
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
    for (const waiting of group) waiting.reject(error);
    return;
  }
  group.forEach((waiting, i) => {
    const outcome = settled[i];
    if (outcome?.ok) waiting.resolve(outcome.result);
    else waiting.reject(outcome?.error);
  });
}

async function writeEach(
  trx: ControlledTransaction<Database>,
  savepoint: string,
  group: Waiting[],
): Promise<Settled[]> {
  // Alone in its group (the usual case at low load), a write needs no savepoint: its failure fails the group,
  // whose rollback then removes only its own rows.
  const [only] = group;
  if (group.length === 1 && only) return [{ ok: true, result: await only.write(trx) }];
  const settled: Settled[] = [];
  for (const waiting of group) {
    // One savepoint at a time, released before the next: the name can be reused.
    const inside = await trx.savepoint(savepoint).execute();
    let outcome: Settled;
    try {
      outcome = { ok: true, result: await waiting.write(inside) };
    } catch (error) {
      await inside.rollbackToSavepoint(savepoint).execute();
      outcome = { ok: false, error };
    }
    // Outside the try: a failing RELEASE must fail the group, not be mistaken for this write's own error.
    await inside.releaseSavepoint(savepoint).execute();
    settled.push(outcome);
  }
  return settled;
}
