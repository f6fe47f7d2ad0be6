import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PurgeServices } from '../types.js';
import { columnIn, deleteOrCount } from './delete-or-count.js';
import { finalSubmissionsBefore } from './final-submissions.js';

/** The sealed messages of final submissions older than `cutoff`; the delivery rows stay, without payload. */
export function purgeSealedMessages(
  db: Kysely<Database>,
  services: PurgeServices,
  cutoff: string,
  dryRun: boolean,
): Promise<number> {
  const expired = db
    .selectFrom('deliveries')
    .select('id')
    .where('submission_id', 'in', finalSubmissionsBefore(db, services, cutoff));
  return deleteOrCount(db, 'sealed_messages', columnIn('delivery_id', expired), dryRun);
}
