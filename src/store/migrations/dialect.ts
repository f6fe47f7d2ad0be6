import type { ColumnDefinitionBuilder } from 'kysely';

/** The databases the migrations are written for. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * A generated integer key: SQLite's AUTOINCREMENT (ids are never reused), PostgreSQL's identity column.
 * kysely has no portable spelling for it.
 */
export function generatedId(dialect: StoreDialect): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (c) => c.primaryKey().generatedByDefaultAsIdentity()
    : (c) => c.primaryKey().autoIncrement();
}
