import type { ControlledTransaction, Kysely } from 'kysely';
import type { Database } from './schema.js';
import { writeSubmission } from './sql/accept-submission.js';
import type { AcceptInput, AcceptResult } from './types.js';

export interface GroupedAccept {
  accept: (input: AcceptInput) => Promise<AcceptResult>;
  /** Resolves once every accept queued so far has settled (before the store closes its connection). */
  drain: () => Promise<void>;
}

interface Waiting {
  input: AcceptInput;
  resolve: (result: AcceptResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: AcceptResult } | { ok: false; error: unknown };

/** One savepoint at a time, released before the next: the name can be reused. */
const savepoint = 'accept';

/**
 * Group commit for SQLite's acceptSubmission. With synchronous=FULL every COMMIT is an fsync on the main
 * thread (better-sqlite3 is synchronous): one per submission was the largest single cost of intake in the
 * bench/ profile. Accepts that arrive within one event-loop turn are written in one transaction, each inside
 * a savepoint of its own, so that one accept's failure (a constraint, say) rolls back only its rows and
 * rejects only its caller. Every caller's promise settles after the COMMIT: a 202 still means durable, and a
 * failed COMMIT rejects every caller of the batch.
 *
 * The savepoints run one after another on SQLite's one connection, so an idempotency key claimed by an
 * earlier accept of a batch is seen by a later one ('existing'), exactly as with one transaction each.
 *
 * `maxBatch` bounds the transaction: the accepts beyond it wait for the next batch.
 */
export function groupAccepts(db: Kysely<Database>, maxBatch = 64): GroupedAccept {
  const queue: Waiting[] = [];
  let scheduled = false;
  let flushing: Promise<void> | undefined;

  // While a batch is being written, newcomers queue up and form the next batch once it has committed.
  const schedule = (): void => {
    if (scheduled || flushing || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushing = commitBatch(db, queue.splice(0, maxBatch)).finally(() => {
        flushing = undefined;
        schedule();
      });
    });
  };

  return {
    accept: (input) =>
      new Promise<AcceptResult>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      }),
    async drain() {
      // Each pass settles at least one batch; the queue only grows by new accepts.
      while (flushing ?? (scheduled || queue.length > 0)) {
        await (flushing ?? new Promise<void>((resolve) => setImmediate(resolve)));
      }
    },
  };
}

/** Writes `batch` in one transaction and settles every caller; never rejects itself. */
async function commitBatch(db: Kysely<Database>, batch: Waiting[]): Promise<void> {
  let trx: ControlledTransaction<Database>;
  try {
    trx = await db.startTransaction().execute();
  } catch (error) {
    for (const waiting of batch) waiting.reject(error);
    return;
  }
  let outcomes: Outcome[];
  try {
    outcomes = await writeEach(trx, batch);
    await trx.commit().execute();
  } catch (error) {
    // A failed savepoint statement, COMMIT, or the write of an accept alone in its batch: nothing of the
    // batch is durable, so no caller may see success. If SQLite already rolled back (after an I/O error,
    // say), the ROLLBACK fails too; kysely frees the connection either way.
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
    for (const waiting of batch) waiting.reject(error);
    return;
  }
  batch.forEach((waiting, i) => {
    const outcome = outcomes[i];
    if (outcome?.ok) waiting.resolve(outcome.result);
    else waiting.reject(outcome?.error);
  });
}

async function writeEach(trx: ControlledTransaction<Database>, batch: Waiting[]): Promise<Outcome[]> {
  // Alone in its batch (the usual case at low load), an accept needs no savepoint: its failure fails the
  // batch, whose rollback then removes only its own rows. Two statements fewer per accept.
  const [only] = batch;
  if (batch.length === 1 && only) return [{ ok: true, result: await writeSubmission(trx, only.input) }];
  const outcomes: Outcome[] = [];
  for (const waiting of batch) {
    const inside = await trx.savepoint(savepoint).execute();
    let outcome: Outcome;
    try {
      outcome = { ok: true, result: await writeSubmission(inside, waiting.input) };
    } catch (error) {
      await inside.rollbackToSavepoint(savepoint).execute();
      outcome = { ok: false, error };
    }
    // Outside the try: a failing RELEASE must fail the batch, not be mistaken for this accept's own error.
    await inside.releaseSavepoint(savepoint).execute();
    outcomes.push(outcome);
  }
  return outcomes;
}
