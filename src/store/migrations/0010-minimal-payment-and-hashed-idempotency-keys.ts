import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';
import { ConfigError } from '../../lib/errors.js';

/**
 * Keeps at rest only what the gateway needs (issue 19, F8). A submission's `payment` keeps its method and
 * status — what the README promises and a status view could show; transaction ids, references and amounts
 * travel only in the sealed messages and the escrow copy. An Idempotency-Key is only ever matched, so it is
 * stored as a keyed hash (HMAC with the gateway secret), like every other reference the gateway compares.
 * Existing rows are converted; the keys need the secret, which the caller supplies (see context.ts).
 */
export async function up(db: Kysely<unknown>, _dialect: unknown, context: MigrationContext = {}): Promise<void> {
  const tables = db as unknown as Kysely<Tables>;
  const convert = async (trx: Kysely<Tables>) => {
    await keepPaymentStatus(trx);
    await hashIdempotencyKeys(trx, context);
  };
  // All or nothing: a key hashed twice (a crash halfway, then a rerun) would never match again. kysely runs
  // PostgreSQL's migrations in a transaction already; SQLite's (no transactional DDL in kysely) get one here.
  if (tables.isTransaction) await convert(tables);
  else await tables.transaction().execute(convert);
}

interface Tables {
  submissions: { id: string; payment: string | null };
  idempotency_keys: { portal_id: string; key: string };
}

const pageSize = 500;

async function keepPaymentStatus(db: Kysely<Tables>): Promise<void> {
  // Paged by id, so a large store is converted in bounded memory.
  for (let after = '', page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
    const rows = await db
      .selectFrom('submissions')
      .select(['id', 'payment'])
      .where('id', '>', after)
      .where('payment', 'is not', null)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      await db
        .updateTable('submissions')
        .set({ payment: minimalPayment(row.payment) })
        .where('id', '=', row.id)
        .execute();
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = last.id;
  }
}

/** `{method, status}` of a stored payment; a row that is not a JSON object keeps nothing. */
function minimalPayment(stored: string | null): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored ?? 'null');
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { method, status } = parsed as { method?: unknown; status?: unknown };
  return JSON.stringify({
    ...(typeof method === 'string' ? { method } : {}),
    ...(typeof status === 'string' ? { status } : {}),
  });
}

async function hashIdempotencyKeys(db: Kysely<Tables>, context: MigrationContext): Promise<void> {
  // Idempotency keys live idempotencyHours (24 by default): few enough to read at once. Reading them all
  // first matters: an updated key must not be seen (and hashed) again.
  const rows = await db.selectFrom('idempotency_keys').select(['portal_id', 'key']).execute();
  if (rows.length === 0) return;
  if (!context.keyedHash) {
    throw new ConfigError(
      `${rows.length} stored idempotency keys must be replaced by keyed hashes, which needs the gateway's hmacSecret: run "amtsbote store migrate" (or start the gateway) with its configuration`,
    );
  }
  const hash = context.keyedHash();
  for (const row of rows) {
    await db
      .updateTable('idempotency_keys')
      .set({ key: hash(row.key) })
      .where('portal_id', '=', row.portal_id)
      .where('key', '=', row.key)
      .execute();
  }
}
