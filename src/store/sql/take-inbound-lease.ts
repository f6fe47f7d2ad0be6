import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { type InboundSubmission, inboundFromRow, openInboundStates } from './inbound-row.js';

/**
 * Takes the lease on working on one inbound submission: granted when it is open (pending, waiting, committed),
 * due (`next_attempt_at` reached), and nobody else holds a live lease. One UPDATE … WHERE … RETURNING: atomic on
 * both databases, so of several instances exactly one is granted. Counts the attempt. Undefined: not granted.
 */
export async function takeInboundLease(
  db: Kysely<Database>,
  input: { id: string; owner: string; now: string; leaseUntil: string },
): Promise<InboundSubmission | undefined> {
  const row = await db
    .updateTable('inbound_submissions')
    .set((eb) => ({
      lease_owner: input.owner,
      lease_until: input.leaseUntil,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', input.id)
    .where('state', 'in', [...openInboundStates])
    .where('next_attempt_at', '<=', input.now)
    .where((eb) =>
      eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', input.owner), eb('lease_until', '<', input.now)]),
    )
    .returningAll()
    .executeTakeFirst();
  return row ? inboundFromRow(row) : undefined;
}
