import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReplayPlanRecord } from '../types.js';

/**
 * Stores a new replay plan. Plans live minutes: the expired ones are deleted in the same transaction,
 * so the table holds only the plans of the last few minutes and needs no purge job of its own.
 */
export async function saveReplayPlan(db: Kysely<Database>, plan: ReplayPlanRecord, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('replay_plans').where('expires_at', '<', now).execute();
    await trx
      .insertInto('replay_plans')
      .values({
        id: plan.id,
        actor: plan.actor,
        created_at: plan.createdAt,
        expires_at: plan.expiresAt,
        used_at: null,
        content: JSON.stringify(plan.content),
      })
      .execute();
  });
}
