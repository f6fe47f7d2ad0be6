import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { PortalReplyKey, ReplyKeySource } from '../reply-types.js';

/** A portal's reply keys, newest first, rotated-out ones included (the caller compares `notAfter`). */
export async function listPortalReplyKeys(db: Kysely<Database>, portalId: string): Promise<PortalReplyKey[]> {
  const rows = await db
    .selectFrom('portal_reply_keys')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    portalId: r.portal_id,
    kid: r.kid,
    source: JSON.parse(r.source) as ReplyKeySource,
    notAfter: r.not_after ?? undefined,
    createdAt: r.created_at,
  }));
}
