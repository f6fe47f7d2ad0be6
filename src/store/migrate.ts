import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import type { MigrationContext } from './migrations/context.js';
import type { StoreDialect } from './migrations/dialect.js';
import type { Database } from './schema.js';

/**
 * Brings the schema to the latest migration. kysely takes its migration lock first (an advisory lock on
 * PostgreSQL), so instances starting together apply each migration once. Returns the names applied now.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: StoreDialect, context: MigrationContext = {}): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider(dialect, context) }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
