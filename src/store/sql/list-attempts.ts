import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptView } from '../types.js';

export async function listAttempts(db: Kysely<Database>, deliveryId: string): Promise<AttemptView[]> {
  const rows = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('fence')
    .execute();
  return rows.map((r) => ({
    fence: r.fence,
    worker: r.worker,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    outcome: r.outcome as AttemptView['outcome'],
    httpStatus: r.http_status ?? undefined,
    errorClass: r.error_class ?? undefined,
  }));
}
