import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PurgeServices } from '../types.js';
import { columnIn, deleteOrCount } from './delete-or-count.js';
import { finalSubmissionsBefore } from './final-submissions.js';

/**
 * Escrow copies of final submissions older than `cutoff`. A dead-lettered or deferred delivery keeps its
 * copy: replay with reroute and deferred fan-out re-seal from it.
 */
export function purgeEscrowCopies(
  db: Kysely<Database>,
  services: PurgeServices,
  cutoff: string,
  dryRun: boolean,
): Promise<number> {
  return deleteOrCount(
    db,
    'escrow_copies',
    columnIn('submission_id', finalSubmissionsBefore(db, services, cutoff)),
    dryRun,
  );
}
