import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptRecord, DeliveryTransition } from '../types.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * Records an attempt and moves the delivery on — only if `fence` is still the delivery's: a worker whose
 * lease expired and was claimed again by another cannot overwrite the newer attempt. Returns false then.
 */
export async function recordAttempt(
  db: Kysely<Database>,
  input: { id: string; fence: number; attempt: AttemptRecord; transition: DeliveryTransition; now: string },
): Promise<boolean> {
  const { id, fence, attempt, transition, now } = input;
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('deliveries').select(['state', 'submission_id', 'destination_id', 'fence']).where('id', '=', id).executeTakeFirst();
    if (!row || row.fence !== fence || row.state !== 'pending') return false;
    const final = transition.state !== 'pending';
    await trx
      .updateTable('deliveries')
      .set({
        state: transition.state,
        attempts: transition.attempts,
        next_attempt_at: transition.nextAttemptAt,
        adapter_state: transition.adapterState === undefined ? null : JSON.stringify(transition.adapterState),
        last_error: transition.lastError ?? null,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
        ...(transition.state === 'delivered' ? { delivered_at: now } : {}),
        ...(final ? { final_at: transition.state === 'delivered' ? null : now } : {}),
      })
      .where('id', '=', id)
      .where('fence', '=', fence)
      .execute();
    await trx
      .insertInto('delivery_attempts')
      .values({
        delivery_id: id,
        fence,
        worker: attempt.worker,
        started_at: attempt.startedAt,
        duration_ms: Math.round(attempt.durationMs),
        outcome: attempt.outcome,
        http_status: attempt.httpStatus ?? null,
        error_class: attempt.errorClass ?? null,
      })
      .execute();
    if (transition.state !== row.state) {
      await recordDeliveryChange(trx, {
        submissionId: row.submission_id,
        deliveryId: id,
        destinationId: row.destination_id,
        state: transition.state,
        at: now,
        detail: transition.lastError ? { reason: transition.lastError } : undefined,
      });
    }
    return true;
  });
}
