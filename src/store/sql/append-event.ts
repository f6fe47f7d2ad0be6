import type { Kysely, Transaction } from 'kysely';
import { eventHash, genesisHash } from '../event-chain.js';
import type { Database } from '../schema.js';
import type { NewEvent } from '../types.js';

/**
 * Appends an event to a submission's chain. Must run inside a transaction: the unique
 * (submission_id, seq) key makes a concurrent append fail rather than fork the chain.
 */
export async function appendEvent(
  trx: Transaction<Database> | Kysely<Database>,
  submissionId: string,
  event: NewEvent,
): Promise<number> {
  const last = await trx
    .selectFrom('events')
    .select(['seq', 'hash'])
    .where('submission_id', '=', submissionId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  await insertEvent(trx, submissionId, seq, last?.hash ?? genesisHash, event);
  return seq;
}

async function insertEvent(
  trx: Transaction<Database> | Kysely<Database>,
  submissionId: string,
  seq: number,
  prevHash: string,
  event: NewEvent,
): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      submission_id: submissionId,
      seq,
      at: event.at,
      type: event.type,
      data: JSON.stringify(event.data),
      prev_hash: prevHash,
      hash: eventHash(prevHash, submissionId, seq, event),
    })
    .execute();
}
