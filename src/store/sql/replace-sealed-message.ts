import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SealedMessage } from '../types.js';

/** Replaces a delivery's sealed message (re-sealing for replay with reroute or a recipient's new key). */
export async function replaceSealedMessage(db: Kysely<Database>, message: SealedMessage, now: string): Promise<void> {
  if (message.signingKid !== undefined) {
    await db
      .updateTable('deliveries')
      .set({
        signing_kid: message.signingKid,
        authentication_tags: message.authenticationTags ? JSON.stringify(message.authenticationTags) : null,
      })
      .where('id', '=', message.deliveryId)
      .execute();
  }
  await db
    .insertInto('sealed_messages')
    .values({ delivery_id: message.deliveryId, content_type: message.contentType, body: message.body, created_at: now })
    .onConflict((oc) =>
      oc.column('delivery_id').doUpdateSet({ content_type: message.contentType, body: message.body, created_at: now }),
    )
    .execute();
}
