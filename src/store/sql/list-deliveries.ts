import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deliveryFromRow } from './delivery-row.js';
import type { DeliveryFilter, DeliveryView } from '../types.js';

/**
 * Deliveries by state, destination, service, region scope and time, newest first (an operator looks for
 * what just happened; message ids are random and say nothing of time), keyset-paged by (created_at, id):
 * `after` names the last delivery of the previous page. No payloads.
 */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter): Promise<DeliveryView[]> {
  let query = db
    .selectFrom('deliveries as d')
    .innerJoin('submissions as s', 's.id', 'd.submission_id')
    .select([
      'd.id',
      'd.submission_id',
      'd.destination_id',
      'd.state',
      'd.attempts',
      'd.next_attempt_at',
      'd.created_at',
      'd.updated_at',
      'd.last_error',
      'd.delivered_at',
      'd.deferred_until',
      'd.on_timeout',
      's.service_key',
      's.region_key',
      's.reference',
    ])
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit);
  if (filter.state) query = query.where('d.state', '=', filter.state);
  if (filter.destinationId) query = query.where('d.destination_id', '=', filter.destinationId);
  if (filter.serviceKey) query = query.where('s.service_key', '=', filter.serviceKey);
  if (filter.since) query = query.where('d.created_at', '>=', filter.since);
  const after = filter.after;
  if (after !== undefined) {
    const createdAt = db.selectFrom('deliveries').select('created_at').where('id', '=', after);
    query = query.where((eb) =>
      eb.or([eb('d.created_at', '<', createdAt), eb.and([eb('d.created_at', '=', createdAt), eb('d.id', '<', after)])]),
    );
  }
  if (filter.ids) query = query.where('d.id', 'in', filter.ids.length > 0 ? [...filter.ids] : ['']);
  const regions = filter.regions;
  if (regions) query = query.where((eb) => eb.or(regions.map((r) => eb('s.region_key', 'like', `${r}%`))));
  const rows = await query.execute();
  return rows.map((r) => ({
    ...deliveryFromRow(r),
    submissionId: r.submission_id,
    lastError: r.last_error ?? undefined,
    deliveredAt: r.delivered_at ?? undefined,
    ...(r.state === 'deferred' && r.deferred_until
      ? { deferredUntil: r.deferred_until, onTimeout: r.on_timeout === 'dead-letter' ? 'dead-letter' : 'release' }
      : {}),
    serviceKey: r.service_key,
    regionKey: r.region_key,
    reference: r.reference ?? undefined,
  }));
}
