import type { Kysely } from 'kysely';
import { eventHash } from '../event-chain.js';
import type { Database } from '../schema.js';
import type { PurgeServices } from '../types.js';
import { finalSubmissionsBefore } from './final-submissions.js';

/** The type of the event that replaces a purged log; `verifyChain` accepts it as the chain's anchor. */
export const purgedEventType = 'log-purged';

const batchSize = 200;
const maxBatches = 50;

/**
 * Replaces the event logs of final submissions older than `cutoff` by one `log-purged` event that chains
 * to the last deleted event's hash: what remains still verifies, and says how much was deleted and when.
 * Bounded per run (batches of 200, at most 50); the next run goes on.
 */
export async function purgeEventLogs(
  db: Kysely<Database>,
  services: PurgeServices,
  cutoff: string,
  now: string,
  dryRun: boolean,
): Promise<number> {
  const candidates = () =>
    db
      .selectFrom('events as e')
      .select('e.submission_id')
      .distinct()
      .where('e.type', '!=', purgedEventType)
      .where('e.submission_id', 'in', finalSubmissionsBefore(db, services, cutoff));
  if (dryRun) {
    const row = await db
      .selectFrom(candidates().as('c'))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  let purged = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const ids = (await candidates().limit(batchSize).execute()).map((r) => r.submission_id);
    for (const id of ids) if (await replaceLog(db, id, now)) purged++;
    if (ids.length < batchSize) break;
  }
  return purged;
}

async function replaceLog(db: Kysely<Database>, submissionId: string, now: string): Promise<boolean> {
  try {
    return await db.transaction().execute(async (trx) => {
      const events = await trx
        .selectFrom('events')
        .select(['seq', 'hash', 'type'])
        .where('submission_id', '=', submissionId)
        .orderBy('seq')
        .execute();
      const last = events.at(-1);
      if (!last || events.every((e) => e.type === purgedEventType)) return false;
      const event = {
        at: now,
        type: purgedEventType,
        data: { deletedEvents: events.length, firstSeq: events[0]?.seq ?? last.seq, lastSeq: last.seq },
      };
      await trx.deleteFrom('events').where('submission_id', '=', submissionId).execute();
      const seq = last.seq + 1;
      await trx
        .insertInto('events')
        .values({
          submission_id: submissionId,
          seq,
          at: event.at,
          type: event.type,
          data: JSON.stringify(event.data),
          prev_hash: last.hash,
          hash: eventHash(last.hash, submissionId, seq, event),
        })
        .execute();
      return true;
    });
  } catch {
    // Another instance purged (or appended to) this log at the same moment: its run or the next one settles it.
    return false;
  }
}
