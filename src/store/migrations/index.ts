import type { Migration, MigrationProvider } from 'kysely';
import type { MigrationContext } from './context.js';
import type { StoreDialect } from './dialect.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-routing-versions.js';
import * as m0003 from './0003-outbox.js';
import * as m0004 from './0004-keys-and-escrow.js';
import * as m0005 from './0005-receipts.js';
import * as m0006 from './0006-callbacks.js';
import * as m0007 from './0007-portal-identity.js';
import * as m0008 from './0008-rate-buckets.js';
import * as m0009 from './0009-replay-plans.js';
import * as m0010 from './0010-minimal-payment-and-hashed-idempotency-keys.js';
import * as m0011 from './0011-portal-token-objects.js';
import * as m0012 from './0012-deferred-deadlines-and-poll-leases.js';
import * as m0013 from './0013-inbound-fitconnect-submissions.js';
import * as m0014 from './0014-replies.js';

/**
 * A migration module: `up` is told the dialect for the few column types that differ, and gets the context (context.ts).
 */
type MigrationModule = {
  up: (db: Parameters<Migration['up']>[0], dialect: StoreDialect, context: MigrationContext) => Promise<void>;
  down?: Migration['down'];
};

/** Every migration, in order; the names are what the migration table records. */
const modules: Record<string, MigrationModule> = {
  '0001-initial': m0001,
  '0002-routing-versions': m0002,
  '0003-outbox': m0003,
  '0004-keys-and-escrow': m0004,
  '0005-receipts': m0005,
  '0006-callbacks': m0006,
  '0007-portal-identity': m0007,
  '0008-rate-buckets': m0008,
  '0009-replay-plans': m0009,
  '0010-minimal-payment-and-hashed-idempotency-keys': m0010,
  '0011-portal-token-objects': m0011,
  '0012-deferred-deadlines-and-poll-leases': m0012,
  '0013-inbound-fitconnect-submissions': m0013,
  '0014-replies': m0014,
};

/** The migrations for one dialect (kysely applies them under its lock: an advisory lock on PostgreSQL). */
export function migrationProvider(dialect: StoreDialect, context: MigrationContext = {}): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(modules))
    migrations[name] = { up: (db) => m.up(db, dialect, context), ...(m.down ? { down: m.down } : {}) };
  return { getMigrations: () => Promise.resolve(migrations) };
}
