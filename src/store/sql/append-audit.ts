import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AuditEntry } from '../types.js';

export async function appendAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at: entry.at, actor: entry.actor, action: entry.action, detail: JSON.stringify(entry.detail) })
    .execute();
}
