import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SealedMessage } from '../types.js';
import { bodyText } from './body-text.js';

export async function getSealedMessage(db: Kysely<Database>, deliveryId: string): Promise<SealedMessage | undefined> {
  const row = await db
    .selectFrom('sealed_messages')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  return row && { deliveryId: row.delivery_id, contentType: row.content_type, body: bodyText(row.body) };
}
