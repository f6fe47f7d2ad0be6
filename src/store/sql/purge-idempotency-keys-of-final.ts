import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PurgeServices } from '../types.js';
import { columnIn, deleteOrCount } from './delete-or-count.js';
import { finalSubmissionsBefore } from './final-submissions.js';

/** Idempotency keys of final submissions older than `cutoff`, even if their own expiry is later. */
export function purgeIdempotencyKeysOfFinal(
  db: Kysely<Database>,
  services: PurgeServices,
  cutoff: string,
  dryRun: boolean,
): Promise<number> {
  return deleteOrCount(
    db,
    'idempotency_keys',
    columnIn('submission_id', finalSubmissionsBefore(db, services, cutoff)),
    dryRun,
  );
}
