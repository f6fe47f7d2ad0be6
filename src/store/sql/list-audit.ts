import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AuditEntry } from '../types.js';

export async function listAudit(
  db: Kysely<Database>,
  limit: number,
  before?: number,
): Promise<(AuditEntry & { id: number })[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
  if (before !== undefined) query = query.where('id', '<', before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
