import {
  sql,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryCreator,
  type Transaction,
} from 'kysely';
import type { Database } from '../schema.js';
import type { AcceptInput, AcceptResult } from '../types.js';
import { existing } from './accept-submission.js';
import { claimIdempotencyKey } from './claim-idempotency-key.js';
import { submissionRows } from './submission-rows.js';

/**
 * PostgreSQL's acceptSubmission: the submission's rows in one statement (data-modifying CTEs, one per table,
 * their foreign keys checked at the statement's end), with the notice to the other instances' workers in the
 * same statement — NOTIFY is transactional, delivered when the statement commits and never if it fails, so a
 * worker that hears it reads what was committed. One round trip and one commit instead of a BEGIN, five
 * inserts, a COMMIT and a NOTIFY of its own (which commits as a transaction of its own). With an idempotency
 * key, the key is claimed first in a transaction around the statement, so a second request with the key waits
 * for the first and writes nothing.
 */
export async function acceptSubmissionAtOnce(
  db: Kysely<Database>,
  input: AcceptInput,
  channel: string,
): Promise<AcceptResult> {
  const { submission: s, idempotency } = input;
  if (!idempotency) {
    await insertAtOnce(db, input, channel);
    return { kind: 'created' };
  }
  return db.transaction().execute(async (trx) => {
    if (!(await claimIdempotencyKey(trx, idempotency, s.portalId, s.id, s.receivedAt))) return existing(trx, input);
    await insertAtOnce(trx, input, channel);
    return { kind: 'created' } as const;
  });
}

async function insertAtOnce(db: Kysely<Database> | Transaction<Database>, input: AcceptInput, channel: string) {
  const rows = submissionRows(input);
  // Each CTE adds its name to the creator's type; the statement reads none of them, so the plain type serves.
  let creator: QueryCreator<Database> = db;
  const add = <T extends keyof Database>(name: string, insert: (qb: QueryCreator<Database>) => Inserting<T>) => {
    creator = creator.with(name, insert) as unknown as QueryCreator<Database>;
  };
  const { submission, event, deliveries, escrow, messages } = rows;
  add('s', (qb) => qb.insertInto('submissions').values(submission));
  add('e', (qb) => qb.insertInto('events').values(event));
  if (deliveries.length > 0) add('d', (qb) => qb.insertInto('deliveries').values(deliveries));
  if (escrow) add('x', (qb) => qb.insertInto('escrow_copies').values(escrow));
  if (messages.length > 0) add('m', (qb) => qb.insertInto('sealed_messages').values(messages));
  await creator.selectNoFrom(sql<string>`pg_notify(${channel}, '')`.as('notified')).execute();
}

type Inserting<T extends keyof Database> = InsertQueryBuilder<Database, T, InsertResult>;
