import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PurgeServices } from '../types.js';

/** Delivery states after which nothing more happens to a delivery (a dead letter still waits for replay). */
export const doneStates = ['delivered', 'accepted', 'rejected', 'cancelled'];

/**
 * Ids of submissions of the given services that are final — every delivery and callback done — and have
 * not changed since `cutoff`: the subquery every retention rule deletes by.
 */
export function finalSubmissionsBefore(db: Kysely<Database>, services: PurgeServices, cutoff: string) {
  let query = db
    .selectFrom('submissions as s')
    .select('s.id')
    .where('s.received_at', '<', cutoff)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries as d')
            .select('d.id')
            .whereRef('d.submission_id', '=', 's.id')
            .where((inner) => inner.or([inner('d.state', 'not in', doneStates), inner('d.updated_at', '>=', cutoff)])),
        ),
      ),
    );
  if ('only' in services) query = query.where('s.service_key', 'in', services.only);
  else if (services.except.length > 0) query = query.where('s.service_key', 'not in', services.except);
  return query;
}
