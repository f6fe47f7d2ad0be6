import { canonicalize } from 'json-canonicalize';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReceiptInput, ReceiptOutcome } from '../types.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * Applies a verified receipt in one transaction: the message must have been delivered to that destination
 * (for the submission the receipt names), an accept must repeat the authentication tags of the JWEs that
 * were delivered, and the `jti` must be new. The delivery becomes accepted or rejected; the SET goes into
 * the event log verbatim. A reject cancels the deliveries deferred behind it; an accept names them for
 * release (their messages are sealed from the escrow copy by the caller).
 */
export async function applyReceipt(db: Kysely<Database>, input: ReceiptInput): Promise<ReceiptOutcome> {
  return db.transaction().execute(async (trx) => {
    const delivery = await trx
      .selectFrom('deliveries')
      .select(['state', 'authentication_tags'])
      .where('id', '=', input.deliveryId)
      .where('destination_id', '=', input.destinationId)
      .where('submission_id', '=', input.submissionId)
      .executeTakeFirst();
    if (!delivery) return { ok: false, reason: 'unknown-message' } as const;
    const seen = await trx.selectFrom('receipts').select('jti').where('jti', '=', input.jti).executeTakeFirst();
    if (seen) return { ok: false, reason: 'replayed' } as const;
    if (delivery.state === 'accepted' || delivery.state === 'rejected')
      return { ok: false, reason: 'already-final' } as const;
    if (delivery.state !== 'delivered') return { ok: false, reason: 'not-delivered' } as const;
    if (input.kind === 'accepted') {
      const stored = delivery.authentication_tags ? (JSON.parse(delivery.authentication_tags) as unknown) : undefined;
      const given = { attachments: {}, ...input.authenticationTags };
      if (!stored || canonicalize(stored) !== canonicalize(given))
        return { ok: false, reason: 'tags-mismatch' } as const;
    }
    // Conditional: of two receipts applied at once (two instances), the second finds the delivery final.
    const changed = await trx
      .updateTable('deliveries')
      .set({ state: input.kind, final_at: input.at, updated_at: input.at })
      .where('id', '=', input.deliveryId)
      .where('state', '=', 'delivered')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return { ok: false, reason: 'already-final' } as const;
    await trx
      .insertInto('receipts')
      .values({
        jti: input.jti,
        delivery_id: input.deliveryId,
        destination_id: input.destinationId,
        kind: input.kind,
        received_at: input.at,
      })
      .execute();
    await recordDeliveryChange(trx, {
      submissionId: input.submissionId,
      deliveryId: input.deliveryId,
      destinationId: input.destinationId,
      state: input.kind,
      at: input.at,
      detail: { receipt: input.set, ...(input.problems ? { problems: input.problems } : {}) },
    });
    const deferred = await trx
      .selectFrom('deliveries')
      .select(['id', 'destination_id'])
      .where('trigger_delivery_id', '=', input.deliveryId)
      .where('state', '=', 'deferred')
      .execute();
    if (input.kind === 'accepted') return { ok: true, released: deferred.map((d) => d.id), cancelled: [] } as const;
    for (const d of deferred) {
      await trx
        .updateTable('deliveries')
        .set({ state: 'cancelled', final_at: input.at, updated_at: input.at })
        .where('id', '=', d.id)
        .execute();
      await recordDeliveryChange(trx, {
        submissionId: input.submissionId,
        deliveryId: d.id,
        destinationId: d.destination_id,
        state: 'cancelled',
        at: input.at,
        detail: { reason: `${input.destinationId} rejected the case` },
      });
    }
    return { ok: true, released: [], cancelled: deferred.map((d) => d.id) } as const;
  });
}
