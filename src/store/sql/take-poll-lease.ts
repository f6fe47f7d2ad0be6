import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Takes or renews the lease on fetching one destination's receipts: granted when nobody holds it, when
 * `owner` holds it already, or when the holder's lease has run out (it died, or stopped without handing
 * over). One INSERT … ON CONFLICT DO UPDATE … WHERE: atomic on both databases, so of two instances asking at
 * once exactly one is granted. True when `owner` holds the lease until `leaseUntil`.
 */
export async function takePollLease(
  db: Kysely<Database>,
  input: { destinationId: string; owner: string; now: string; leaseUntil: string },
): Promise<boolean> {
  const row = await db
    .insertInto('poll_leases')
    .values({ destination_id: input.destinationId, owner: input.owner, lease_until: input.leaseUntil })
    .onConflict((oc) =>
      oc
        .column('destination_id')
        .doUpdateSet({ owner: input.owner, lease_until: input.leaseUntil })
        .where((eb) =>
          eb.or([eb('poll_leases.owner', '=', input.owner), eb('poll_leases.lease_until', '<', input.now)]),
        ),
    )
    .returning('owner')
    .executeTakeFirst();
  return row?.owner === input.owner;
}
