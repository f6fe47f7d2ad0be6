import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptError } from '../types.js';

/**
 * For each of the given deliveries whose latest attempt failed (retry or failed): that attempt's error class
 * and start time. The error class is a stable code an adapter chose (`http-503`, `timeout`, …), never payload,
 * so a portal may see it. A delivery whose latest attempt succeeded, or that has none, is absent.
 */
export async function lastAttemptErrors(
  db: Kysely<Database>,
  deliveryIds: readonly string[],
): Promise<Map<string, AttemptError>> {
  const errors = new Map<string, AttemptError>();
  if (deliveryIds.length === 0) return errors;
  const rows = await db
    .selectFrom('delivery_attempts')
    .select(['delivery_id', 'fence', 'outcome', 'error_class', 'started_at'])
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('fence', 'desc')
    .execute();
  const seen = new Set<string>();
  for (const row of rows) {
    // Rows come newest first per delivery (the fence grows with every claim): only the first one counts.
    if (seen.has(row.delivery_id)) continue;
    seen.add(row.delivery_id);
    if ((row.outcome === 'retry' || row.outcome === 'failed') && row.error_class)
      errors.set(row.delivery_id, { code: row.error_class, at: row.started_at });
  }
  return errors;
}
