import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptRecord, DeliveryTransition } from '../types.js';
import { recordDeliveryChange } from './update-submission-status.js';

export interface AttemptOutcome {
  id: string;
  fence: number;
  attempt: AttemptRecord;
  transition: DeliveryTransition;
  now: string;
}

/** One outcome in a transaction of its own (PostgreSQL; SQLite groups them, see sqlite.ts). */
export async function recordAttempt(db: Kysely<Database>, input: AttemptOutcome): Promise<boolean> {
  return db.transaction().execute((trx) => writeAttempt(trx, input));
}

/**
 * Records an attempt and moves the delivery on — only if `fence` is still the delivery's: a worker whose
 * lease expired and was claimed again by another cannot overwrite the newer attempt. Returns false then, having
 * written nothing. All or nothing only together with the caller's transaction (or savepoint).
 */
export async function writeAttempt(trx: Transaction<Database>, input: AttemptOutcome): Promise<boolean> {
  const { id, fence, attempt, transition, now } = input;
  const final = transition.state !== 'pending';
  // One conditional UPDATE checks the fence and writes: on PostgreSQL it waits for a concurrent claim of the
  // row and re-checks the fence after it, so a read-then-write race cannot let a stale worker through.
  const row = await trx
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
    .where('state', '=', 'pending')
    .returning(['submission_id', 'destination_id'])
    .executeTakeFirst();
  if (!row) return false;
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
  if (transition.state !== 'pending') {
    await recordDeliveryChange(trx, {
      submissionId: row.submission_id,
      deliveryId: id,
      destinationId: row.destination_id,
      state: transition.state,
      at: now,
      detail: {
        ...(transition.lastError ? { reason: transition.lastError } : {}),
        ...transition.references,
      },
    });
  }
  return true;
}
