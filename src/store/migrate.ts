import { Migrator, type Kysely } from 'kysely';
import { AmtsboteError, isAmtsboteError, UnavailableError } from '../lib/errors.js';
import { migrationProvider } from './migrations/index.js';
import type { MigrationContext } from './migrations/context.js';
import type { StoreDialect } from './migrations/dialect.js';
import type { Database } from './schema.js';

/**
 * Brings the schema to the latest migration. kysely takes its migration lock first (an advisory lock on
 * PostgreSQL), so instances starting together apply each migration once. Returns the names applied now.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: StoreDialect,
  context: MigrationContext = {},
): Promise<string[]> {
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider(dialect, context),
  }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const detail = `store migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
    // A migration's own refusal keeps its code (0010 without the hmacSecret is the configuration's fault);
    // anything else is the database's answer, which may differ when tried again.
    if (isAmtsboteError(error))
      throw new AmtsboteError(error.code, detail, error.errors, error.extensions, { cause: error });
    throw new UnavailableError(detail, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
