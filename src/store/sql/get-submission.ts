import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deliveryFromRow } from './delivery-row.js';
import type { AttachmentMeta, AuthenticationInfo, DeliveryState, PaymentStatus, SubmissionRecord } from '../types.js';

export async function getSubmission(db: Kysely<Database>, id: string): Promise<SubmissionRecord | undefined> {
  const row = await db.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const deliveries = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('submission_id', '=', id)
    .where('kind', '=', 'message')
    .orderBy('destination_id')
    .execute();
  return {
    id: row.id,
    portalId: row.portal_id,
    serviceKey: row.service_key,
    regionKey: row.region_key,
    status: row.status as DeliveryState,
    reference: row.reference ?? undefined,
    test: row.test === 1,
    callbackUrl: row.callback_url ?? undefined,
    authentication: row.authentication ? (JSON.parse(row.authentication) as AuthenticationInfo) : undefined,
    payment: row.payment ? (JSON.parse(row.payment) as PaymentStatus) : undefined,
    dataHmac: row.data_hmac,
    attachments: JSON.parse(row.attachments) as AttachmentMeta[],
    receivedAt: row.received_at,
    routingVersion: row.routing_version ?? undefined,
    replyKey: row.reply_key ? (JSON.parse(row.reply_key) as Record<string, unknown>) : undefined,
    updatedAt: row.updated_at,
    deliveries: deliveries.map(deliveryFromRow),
  };
}
