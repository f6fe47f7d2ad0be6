import { chmodSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { AmtsboteError, InvalidRequestError } from '../lib/errors.js';

/**
 * Creates the file a backup is written into: owner-only from its first byte (a backup holds everything the
 * store does), and an existing file only when the operator said so.
 */
export function createBackupTarget(target: string, force: boolean): void {
  let fd: number;
  try {
    fd = openSync(target, force ? 'w' : 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AmtsboteError('conflict', `${target} exists: choose another file, or add --force to overwrite it`);
    throw error;
  }
  closeSync(fd);
  // an existing file (--force) keeps its mode through open(): make it owner-only as well
  chmodSync(target, 0o600);
}

/**
 * Puts a backup made by `store backup` in place as the store file. Checked first (an SQLite file whose
 * integrity check passes and that has the store's migration table), copied beside the target and renamed, so
 * the target is either the old file or the whole backup. A write-ahead log left beside the target belongs to
 * the old file and would be applied to the restored one: it is removed.
 */
export function restoreSqliteBackup(backup: string, target: string, force: boolean): void {
  if (!existsSync(backup)) throw new AmtsboteError('not-found', `${backup} does not exist`);
  if (existsSync(target) && !force)
    throw new AmtsboteError(
      'conflict',
      `${target} exists: restore into an empty data dir, or add --force to replace the store there`,
    );
  checkBackup(backup);
  const partial = `${target}.restoring`;
  copyFileSync(backup, partial);
  chmodSync(partial, 0o600);
  for (const leftover of [`${target}-wal`, `${target}-shm`]) rmSync(leftover, { force: true });
  renameSync(partial, target);
}

function checkBackup(backup: string): void {
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new BetterSqlite3(backup, { readonly: true, fileMustExist: true });
    const integrity = database.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new InvalidRequestError(`its integrity check says: ${String(integrity)}`);
    const migrations = database
      .prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get() as { n: number };
    if (migrations.n === 0) throw new InvalidRequestError('it holds no store (no migration table)');
  } catch (error) {
    throw new AmtsboteError('invalid-request', `${backup} is not a backup of the store: ${(error as Error).message}`);
  } finally {
    database?.close();
  }
}
