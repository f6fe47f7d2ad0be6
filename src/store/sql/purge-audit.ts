import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deleteOrCount } from './delete-or-count.js';

/** Audit records older than `cutoff`. */
export function purgeAudit(db: Kysely<Database>, cutoff: string, dryRun: boolean): Promise<number> {
  return deleteOrCount(db, 'audit_log', sql<boolean>`${sql.ref('at')} < ${cutoff}`, dryRun);
}
