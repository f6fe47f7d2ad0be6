import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** States after which a delivery needs nothing from the escrow copy any more. */
const doneStates = ['delivered', 'accepted', 'rejected', 'cancelled'];

/**
 * Deletes escrow copies of submissions whose every delivery is done and whose last change is older than
 * `cutoff` (the retention period). A dead-lettered or deferred delivery keeps its copy: replay with reroute
 * and deferred fan-out re-seal from it.
 */
export async function purgeEscrowCopies(db: Kysely<Database>, cutoff: string): Promise<number> {
  const result = await db
    .deleteFrom('escrow_copies')
    .where('submission_id', 'in', (eb) =>
      eb
        .selectFrom('submissions as s')
        .select('s.id')
        .where('s.updated_at', '<', cutoff)
        .where((inner) => inner.not(inner.exists(inner.selectFrom('deliveries as d').select('d.id').whereRef('d.submission_id', '=', 's.id').where('d.state', 'not in', doneStates)))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
