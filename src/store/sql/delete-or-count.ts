import { sql, type Expression, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Tables the retention rules delete from, with the column that ties a row to what expired. */
interface PurgeableTables {
  escrow_copies: 'submission_id';
  idempotency_keys: 'submission_id' | 'expires_at';
  sealed_messages: 'delivery_id';
  audit_log: 'at';
}

/**
 * Deletes the rows matching `condition` — or, for a dry run, only counts them — so that
 * `store purge --dry-run` counts exactly what the purge would delete.
 */
export async function deleteOrCount(
  db: Kysely<Database>,
  table: keyof PurgeableTables,
  condition: Expression<boolean>,
  dryRun: boolean,
): Promise<number> {
  if (dryRun) {
    const row = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where ${condition}`.execute(db);
    return Number(row.rows[0]?.n ?? 0);
  }
  const result = await sql`delete from ${sql.table(table)} where ${condition}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** `column in (subquery)`, for `deleteOrCount`. */
export function columnIn(
  column: PurgeableTables[keyof PurgeableTables],
  subquery: Expression<unknown>,
): Expression<boolean> {
  return sql<boolean>`${sql.ref(column)} in (${subquery})`;
}
