import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordDeliveryChange } from './update-submission-status.js';

/**
 * A deferred delivery whose trigger was accepted — or whose deadline passed with its trigger delivered and its
 * rule saying `release` (`reason`) — is sealed now and joins the outbox.
 */
export async function releaseDeferred(
  db: Kysely<Database>,
  input: {
    deliveryId: string;
    body: string;
    contentType: string;
    signingKid: string | undefined;
    authenticationTags: unknown;
    at: string;
    /** Why it is released, for the event log; by default its trigger's accept. */
    reason?: string | undefined;
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Conditional UPDATE first: a release racing with another (two instances) finds the delivery no longer deferred.
    const row = await trx
      .updateTable('deliveries')
      .set({
        state: 'pending',
        next_attempt_at: input.at,
        signing_kid: input.signingKid ?? null,
        authentication_tags: JSON.stringify(input.authenticationTags),
        updated_at: input.at,
      })
      .where('id', '=', input.deliveryId)
      .where('state', '=', 'deferred')
      .returning(['submission_id', 'destination_id'])
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .insertInto('sealed_messages')
      .values({
        delivery_id: input.deliveryId,
        content_type: input.contentType,
        body: input.body,
        created_at: input.at,
      })
      .execute();
    await recordDeliveryChange(trx, {
      submissionId: row.submission_id,
      deliveryId: input.deliveryId,
      destinationId: row.destination_id,
      state: 'pending',
      at: input.at,
      detail: { released: input.reason ?? 'its trigger was accepted' },
    });
    return true;
  });
}
