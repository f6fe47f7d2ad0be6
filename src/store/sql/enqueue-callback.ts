import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Puts a status callback for the portal into the outbox, in the transaction of the status change, so a
 * change is never committed without its callback. The URL is the submission's callbackUrl or the portal's
 * default; a portal without callback settings gets none. The payload is ids and statuses only.
 */
export async function enqueueCallback(
  trx: Transaction<Database>,
  input: {
    submissionId: string;
    portalId: string;
    callbackUrl: string | null;
    payload: Record<string, unknown>;
    at: string;
  },
): Promise<void> {
  const portal = await trx.selectFrom('portals').select('callback').where('id', '=', input.portalId).executeTakeFirst();
  const settings = portal?.callback ? (JSON.parse(portal.callback) as { defaultUrl?: string }) : undefined;
  const url = input.callbackUrl ?? settings?.defaultUrl;
  if (!settings || !url) return;
  const id = randomUUID();
  await trx
    .insertInto('deliveries')
    .values({
      id,
      submission_id: input.submissionId,
      destination_id: `callback:${input.portalId}`,
      kind: 'callback',
      state: 'pending',
      next_attempt_at: input.at,
      adapter_state: JSON.stringify({ url }),
      created_at: input.at,
      updated_at: input.at,
    })
    .execute();
  await trx
    .insertInto('sealed_messages')
    .values({
      delivery_id: id,
      content_type: 'application/json',
      body: JSON.stringify(input.payload),
      created_at: input.at,
    })
    .execute();
}
