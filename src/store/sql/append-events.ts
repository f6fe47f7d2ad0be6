import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { NewEvent } from '../types.js';
import { appendEvent } from './append-event.js';

/**
 * Appends events to an existing submission's hash chain, in one transaction (e.g. the FIT-Connect SETs of a
 * picked-up submission: the delivery service's submit-submission and our accept, kept verbatim as evidence).
 */
export async function appendEvents(
  db: Kysely<Database>,
  submissionId: string,
  events: readonly NewEvent[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const event of events) await appendEvent(trx, submissionId, event);
  });
}
