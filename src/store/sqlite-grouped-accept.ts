import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { groupCommits } from './sqlite-group-commit.js';
import { writeSubmission } from './sql/accept-submission.js';
import type { AcceptInput, AcceptResult } from './types.js';

export interface GroupedAccept {
  accept: (input: AcceptInput) => Promise<AcceptResult>;
  /** Resolves once every accept queued so far has settled (before the store closes its connection). */
  drain: () => Promise<void>;
}

/**
 * Group commit for SQLite's acceptSubmission. With synchronous=FULL every COMMIT is an fsync on the main
 * thread (better-sqlite3 is synchronous): one per submission was the largest single cost of intake in the
 * bench/ profile. Accepts that arrive within one event-loop turn are written in one transaction, each inside
 * a savepoint of its own (sqlite-group-commit.ts), so that one accept's failure (a constraint, say) rolls back
 * only its rows and rejects only its caller. Every caller's promise settles after the COMMIT: a 202 still means
 * durable, and a failed COMMIT rejects every caller of the batch.
 *
 * The savepoints run one after another on SQLite's one connection, so an idempotency key claimed by an
 * earlier accept of a batch is seen by a later one ('existing'), exactly as with one transaction each.
 *
 * `maxBatch` bounds the transaction: the accepts beyond it wait for the next batch.
 */
export function groupAccepts(db: Kysely<Database>, maxBatch = 64): GroupedAccept {
  const group = groupCommits(db, { savepoint: 'accept', maxBatch });
  return {
    accept: (input) => group.run((trx) => writeSubmission(trx, input)),
    drain: () => group.drain(),
  };
}
