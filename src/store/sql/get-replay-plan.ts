import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReplayPlanRecord } from '../types.js';

export async function getReplayPlan(db: Kysely<Database>, id: string): Promise<ReplayPlanRecord | undefined> {
  const row = await db.selectFrom('replay_plans').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    row && {
      id: row.id,
      actor: row.actor,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at ?? undefined,
      content: JSON.parse(row.content) as unknown,
    }
  );
}
