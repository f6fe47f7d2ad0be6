import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-routing-versions.js';

/** Every migration, in order; the names are what the migration table records. */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-routing-versions': m0002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
