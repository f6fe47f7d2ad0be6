import type { Kysely, Transaction } from 'kysely';
import { InternalError } from '../../lib/errors.js';
import type { Database } from '../schema.js';
import type { AcceptInput, AcceptResult } from '../types.js';
import { claimIdempotencyKey } from './claim-idempotency-key.js';
import { findIdempotencyKey } from './find-idempotency-key.js';
import { submissionRows } from './submission-rows.js';

/**
 * One submission in a transaction of its own, one statement per table (SQLite groups them, see
 * sqlite-grouped-accept.ts; PostgreSQL writes them in one statement, see accept-submission-at-once.ts).
 */
export async function acceptSubmission(db: Kysely<Database>, input: AcceptInput): Promise<AcceptResult> {
  return db.transaction().execute((trx) => writeSubmission(trx, input));
}

/**
 * Writes one accepted submission inside `trx`: its idempotency key, the submission, its deliveries, sealed
 * messages, escrow copy and first event. All or nothing only together with the caller's transaction (or
 * savepoint), which must not be committed before this resolves.
 */
export async function writeSubmission(trx: Transaction<Database>, input: AcceptInput): Promise<AcceptResult> {
  const { submission: s, idempotency } = input;
  // The key is claimed first, so two requests with one key cannot both create a submission.
  if (idempotency && !(await claimIdempotencyKey(trx, idempotency, s.portalId, s.id, s.receivedAt)))
    return existing(trx, input);
  const rows = submissionRows(input);
  await trx.insertInto('submissions').values(rows.submission).execute();
  if (rows.deliveries.length > 0) await trx.insertInto('deliveries').values(rows.deliveries).execute();
  if (rows.escrow) await trx.insertInto('escrow_copies').values(rows.escrow).execute();
  if (rows.messages.length > 0) await trx.insertInto('sealed_messages').values(rows.messages).execute();
  await trx.insertInto('events').values(rows.event).execute();
  return { kind: 'created' } as const;
}

/** The submission that holds the key of `input` (the claim failed: a live claim holds it, read in `trx`). */
export async function existing(trx: Kysely<Database>, input: AcceptInput): Promise<AcceptResult> {
  const { submission: s, idempotency } = input;
  // the claim failed because the key's claim outlives receivedAt: it is found with that as "now"
  const held = idempotency && (await findIdempotencyKey(trx, s.portalId, idempotency.key, s.receivedAt));
  if (!held) throw new InternalError();
  return { kind: 'existing', submissionId: held.submissionId, contentHmac: held.contentHmac } as const;
}
