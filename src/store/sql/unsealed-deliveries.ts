import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * Deliveries still to be made that have no sealed message. The first releases accepted submissions before
 * the gateway sealed anything: their deliveries were carried over by the migrations, but neither a sealed
 * message nor an escrow copy exists for them, and the plain data was never stored — no release can deliver
 * them. (Deferred deliveries are sealed from the escrow copy when released, so one without it is lost too.)
 */
function unsealed(db: Kysely<Database>) {
  return db
    .selectFrom('deliveries as d')
    .where('d.kind', '=', 'message')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('d.state', '=', 'pending'),
          eb.not(
            eb.exists(
              eb.selectFrom('sealed_messages as m').select('m.delivery_id').whereRef('m.delivery_id', '=', 'd.id'),
            ),
          ),
        ]),
        eb.and([
          eb('d.state', '=', 'deferred'),
          eb.not(
            eb.exists(
              eb
                .selectFrom('escrow_copies as e')
                .select('e.submission_id')
                .whereRef('e.submission_id', '=', 'd.submission_id'),
            ),
          ),
        ]),
      ]),
    );
}

export async function countUnsealedDeliveries(db: Kysely<Database>): Promise<number> {
  const row = await unsealed(db)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The reason an unsealed delivery is dead-lettered with: what the portal and the operator then read. */
export const acceptedBeforeSealing = 'accepted-before-sealing';

/**
 * Records every unsealed delivery as a dead letter (`accepted-before-sealing`), each in its submission's event
 * log with the status derived anew and the portal's callback, as a failed delivery would be. The operator's
 * explicit step (`amtsbote store migrate --dead-letter-unsealed`): the portals must then submit again.
 */
export async function deadLetterUnsealed(db: Kysely<Database>, now: string): Promise<number> {
  const rows = await unsealed(db)
    .select(['d.id', 'd.submission_id', 'd.destination_id', 'd.state'])
    .orderBy('d.id')
    .execute();
  let count = 0;
  for (const row of rows) {
    await db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable('deliveries')
        .set({
          state: 'dead-lettered',
          last_error: acceptedBeforeSealing,
          final_at: now,
          updated_at: now,
          next_attempt_at: null,
        })
        .where('id', '=', row.id)
        .where('state', '=', row.state)
        .executeTakeFirst();
      // another instance (or a receipt) moved it meanwhile: it is no longer unsealed work
      if (Number(changed.numUpdatedRows) === 0) return;
      count++;
      await recordDeliveryChange(trx, {
        submissionId: row.submission_id,
        deliveryId: row.id,
        destinationId: row.destination_id,
        state: 'dead-lettered',
        at: now,
        detail: { reason: acceptedBeforeSealing },
      });
    });
  }
  return count;
}
