import { resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { StoreDialect } from './migrations/dialect.js';
import { openPostgresDatabase } from './postgres.js';
import type { Database } from './schema.js';
import { openSqliteDatabase } from './sqlite.js';
import { InvalidRequestError, ConflictError } from '../lib/errors.js';

/**
 * Every table in dependency order (referenced before referencing), with the key it is read in order of.
 * A table added by a migration must be added here, or `store copy` would leave it behind. Left behind on
 * purpose: rate buckets, replay plans and poll leases, which hold for minutes and start empty without harm.
 */
const tables: readonly { name: keyof Database; key: readonly string[] }[] = [
  { name: 'portals', key: ['id'] },
  { name: 'portal_reply_keys', key: ['portal_id', 'kid'] },
  { name: 'routing_versions', key: ['version'] },
  { name: 'gateway_key_states', key: ['kid'] },
  { name: 'submissions', key: ['id'] },
  { name: 'inbound_submissions', key: ['id'] },
  { name: 'deliveries', key: ['id'] },
  { name: 'sealed_messages', key: ['delivery_id'] },
  { name: 'delivery_attempts', key: ['delivery_id', 'fence'] },
  { name: 'events', key: ['submission_id', 'seq'] },
  { name: 'idempotency_keys', key: ['portal_id', 'key'] },
  { name: 'escrow_copies', key: ['submission_id'] },
  { name: 'receipts', key: ['jti'] },
  { name: 'replies', key: ['id'] },
  { name: 'audit_log', key: ['id'] },
];

const batchRows = 500;

interface Location {
  dialect: StoreDialect;
  db: Kysely<Database>;
}

/** `sqlite:<path>` (relative to `cwd`) or a postgres:// URL. */
function openLocation(spec: string, cwd: string): Location {
  if (spec.startsWith('sqlite:'))
    return { dialect: 'sqlite', db: openSqliteDatabase(resolve(cwd, spec.slice('sqlite:'.length))).db };
  if (/^postgres(ql)?:\/\//.test(spec)) return { dialect: 'postgres', db: openPostgresDatabase(spec, { poolSize: 2 }) };
  throw new InvalidRequestError(
    `"${spec.replace(/\/\/[^@/]*@/, '//…@')}" is neither sqlite:<path> nor a postgres:// URL`,
  );
}

/**
 * Copies a whole store to an empty one (moving a small installation from SQLite to PostgreSQL): both are
 * migrated to the latest schema, then every table is copied in dependency order inside one transaction on
 * the target, so the target holds all of it or nothing — pending deliveries included, with their leases,
 * fences and next attempt times. A target holding any row is refused. The source is read in one snapshot;
 * stop the gateway first all the same, or what it writes after the snapshot stays behind. Returns the rows copied per
 * table.
 */
export async function copyStore(from: string, to: string, cwd = process.cwd()): Promise<Record<string, number>> {
  const source = openLocation(from, cwd);
  let target: Location | undefined;
  try {
    target = openLocation(to, cwd);
    await migrateToLatest(source.db, source.dialect);
    await migrateToLatest(target.db, target.dialect);
    const into = target;
    // A read transaction on the source too: one consistent snapshot, however the tables are paged through.
    return await source.db.transaction().execute((snapshot) =>
      into.db.transaction().execute(async (trx) => {
        for (const table of tables) {
          const row = await trx
            .selectFrom(table.name)
            .select(sql<number>`1`.as('one'))
            .limit(1)
            .executeTakeFirst();
          if (row)
            throw new ConflictError(
              `the target store is not empty (table ${table.name} has rows): store copy only fills an empty store`,
            );
        }
        const copied: Record<string, number> = {};
        for (const table of tables) {
          copied[table.name] = 0;
          for (let offset = 0; ; offset += batchRows) {
            let query = snapshot.selectFrom(table.name).selectAll().limit(batchRows).offset(offset);
            for (const column of table.key) query = query.orderBy(sql.ref(column));
            const rows = (await query.execute()) as Record<string, unknown>[];
            if (rows.length === 0) break;
            await trx.insertInto(table.name).values(rows).execute();
            copied[table.name] = (copied[table.name] ?? 0) + rows.length;
            if (rows.length < batchRows) break;
          }
        }
        // The copied audit ids were given explicitly: PostgreSQL's identity must continue after them.
        if (into.dialect === 'postgres') {
          await sql`select setval(pg_get_serial_sequence('audit_log', 'id'), coalesce((select max(id) from audit_log), 0) + 1, false)`.execute(
            trx,
          );
        }
        return copied;
      }),
    );
  } finally {
    await source.db.destroy();
    await target?.db.destroy();
  }
}
