import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-routing-versions.js';
import * as m0003 from './0003-outbox.js';
import * as m0004 from './0004-keys-and-escrow.js';
import * as m0005 from './0005-receipts.js';
import * as m0006 from './0006-callbacks.js';
import * as m0007 from './0007-portal-identity.js';
import * as m0008 from './0008-rate-buckets.js';

/** Every migration, in order; the names are what the migration table records. */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-routing-versions': m0002,
  '0003-outbox': m0003,
  '0004-keys-and-escrow': m0004,
  '0005-receipts': m0005,
  '0006-callbacks': m0006,
  '0007-portal-identity': m0007,
  '0008-rate-buckets': m0008,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
