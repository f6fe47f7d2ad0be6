import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase } from './postgres.js';

/** One empty store's location: every `open()` is another connection (pool) to the same data. */
export interface StoreLocation {
  open(): Store;
  remove(): Promise<void>;
}

export interface StoreFactory {
  kind: Store['kind'];
  /**
   * Whether several gateway instances share one location. SQLite serves one gateway process per data dir,
   * whose work all goes through its one connection; PostgreSQL serves several instances at once.
   */
  sharedByInstances: boolean;
  /** A new, empty location: a temporary SQLite file, or a fresh PostgreSQL database. */
  create(): Promise<StoreLocation>;
}

export const sqliteFactory: StoreFactory = {
  kind: 'sqlite',
  sharedByInstances: false,
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-store-'));
    return Promise.resolve({
      open: () => openSqliteStore(join(dir, 'amtsbote.sqlite')),
      remove: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
};

export const postgresFactory: StoreFactory = {
  kind: 'postgres',
  sharedByInstances: true,
  create: async () => {
    const database = await createTestDatabase();
    return { open: () => openPostgresStore(database.url, { poolSize: 4 }), remove: () => database.drop() };
  },
};

/** Both stores: the suites that take this run once against each. */
export const storeFactories = [sqliteFactory, postgresFactory];
