import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoredEvent } from '../types.js';

export async function listEvents(db: Kysely<Database>, submissionId: string): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('submission_id', '=', submissionId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    type: r.type,
    data: JSON.parse(r.data) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
