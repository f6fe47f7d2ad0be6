import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { KeyState } from '../types.js';

export async function listKeyStates(db: Kysely<Database>): Promise<KeyState[]> {
  const rows = await db.selectFrom('gateway_key_states').selectAll().orderBy('kid').execute();
  return rows.map((r) => ({
    kid: r.kid,
    purpose: r.purpose as KeyState['purpose'],
    state: r.state as KeyState['state'],
    changedAt: r.changed_at,
    changedBy: r.changed_by,
  }));
}
