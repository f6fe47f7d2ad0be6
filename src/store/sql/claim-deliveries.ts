import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ClaimedDelivery } from '../types.js';

/**
 * Claims up to `limit` due deliveries for one worker: pending, due, not leased by a live worker, and not
 * for a destination whose circuit is open here. Each claim raises the fencing number, so an attempt
 * whose lease expired can no longer record its outcome. One UPDATE … WHERE id IN (SELECT …) statement:
 * atomic in SQLite; PostgreSQL adds FOR UPDATE SKIP LOCKED to the inner select.
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  options: {
    owner: string;
    now: string;
    leaseUntil: string;
    limit: number;
    excludeDestinations: readonly string[];
    skipLocked?: boolean;
  },
): Promise<ClaimedDelivery[]> {
  let due = db
    .selectFrom('deliveries')
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', options.now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', options.now)]))
    .orderBy('next_attempt_at')
    .limit(options.limit);
  if (options.excludeDestinations.length > 0) due = due.where('destination_id', 'not in', options.excludeDestinations);
  if (options.skipLocked) due = due.forUpdate().skipLocked();
  const claimed = await db
    .updateTable('deliveries')
    .set({
      lease_owner: options.owner,
      lease_until: options.leaseUntil,
      fence: sql`fence + 1`,
      updated_at: options.now,
    })
    .where('id', 'in', due)
    .returning(['id', 'submission_id', 'destination_id', 'attempts', 'fence', 'adapter_state', 'created_at'])
    .execute();
  if (claimed.length === 0) return [];
  const services = await db
    .selectFrom('submissions')
    .select(['id', 'service_key'])
    .where('id', 'in', [...new Set(claimed.map((c) => c.submission_id))])
    .execute();
  const serviceOf = new Map(services.map((s) => [s.id, s.service_key]));
  return claimed.map((c) => ({
    id: c.id,
    submissionId: c.submission_id,
    destinationId: c.destination_id,
    serviceKey: serviceOf.get(c.submission_id) ?? '',
    attempts: c.attempts,
    fence: c.fence,
    adapterState: c.adapter_state ? (JSON.parse(c.adapter_state) as unknown) : undefined,
    createdAt: c.created_at,
  }));
}
