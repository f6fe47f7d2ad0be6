import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A message (a delivery to a destination, not a callback) by its id: which submission and destination it is of. */
export async function findMessage(
  db: Kysely<Database>,
  id: string,
): Promise<{ id: string; submissionId: string; destinationId: string; state: string } | undefined> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'submission_id as submissionId', 'destination_id as destinationId', 'state'])
    .where('id', '=', id)
    .where('kind', '=', 'message')
    .executeTakeFirst();
}
