import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DeferredTimeout, DeliveryState } from '../types.js';

/** A deferred delivery past its deadline, with the state its trigger has reached. */
export interface OverdueDeferred {
  id: string;
  submissionId: string;
  destinationId: string;
  deferredUntil: string;
  onTimeout: DeferredTimeout;
  triggerState: DeliveryState | undefined;
}

/**
 * Deferred deliveries whose deadline has come (`deferred_until <= now`) and on which something can be done,
 * oldest deadline first, with their trigger's state: what the deadline sweep decides on
 * (delivery/deferred-deadlines.ts). Left out are those to be released whose trigger is not yet delivered:
 * they wait for it (the metrics count them as overdue), and must not fill every page the sweep reads.
 */
export async function listOverdueDeferred(
  db: Kysely<Database>,
  now: string,
  limit: number,
): Promise<OverdueDeferred[]> {
  const rows = await db
    .selectFrom('deliveries as d')
    .leftJoin('deliveries as t', 't.id', 'd.trigger_delivery_id')
    .select([
      'd.id',
      'd.submission_id',
      'd.destination_id',
      'd.deferred_until',
      'd.on_timeout',
      't.state as trigger_state',
    ])
    .where('d.state', '=', 'deferred')
    .where('d.deferred_until', '<=', now)
    .where((eb) =>
      eb.or([
        eb('d.on_timeout', '=', 'dead-letter'),
        eb('t.state', 'is', null),
        eb('t.state', 'not in', ['pending', 'deferred']),
      ]),
    )
    .orderBy('d.deferred_until')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    submissionId: r.submission_id,
    destinationId: r.destination_id,
    deferredUntil: r.deferred_until ?? now,
    onTimeout: r.on_timeout === 'dead-letter' ? 'dead-letter' : 'release',
    triggerState: (r.trigger_state ?? undefined) as DeliveryState | undefined,
  }));
}
